// Opaque cursors. A page's cursor says where it ended: MikroORM's keyset values (a person's last
// name, first name and id) or an offset. Handed out as they are, they put names in URLs and logs.
// Every cursor a subgraph hands out is therefore sealed with AES-256-GCM under the subgraph's key,
// the list it comes from (`Type.field`) as associated data: a cursor says nothing to its holder,
// and one that is malformed, tampered with, from another list or from another subgraph is refused
// with BAD_USER_INPUT before the resolver runs, never passed on to the database.
//
// Applied once to the subgraph's schema (sealCursors in kit/server.ts): every field whose type has a
// `pageInfo` gets its `after` opened and its `endCursor` sealed, so resolvers keep working with the
// plain cursors of kit/pagination.ts and a new connection field is covered the day it is added.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultFieldResolver, getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { ErrorCode, reject } from './errors.ts';

/** Sealed cursors start with this version byte, so that the format can change without ambiguity. */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A sealed cursor is the plain one (at most 512 characters, kit/pagination.ts) plus 29 bytes. */
const MAX_SEALED_LENGTH = 800;

export interface CursorSeal {
  /** The cursor to hand out for `plain`, a position in `list`. */
  seal(plain: string, list: string): string;
  /** The plain cursor inside `sealed`; throws BAD_USER_INPUT (field `after`) when it is not one of `list`'s. */
  open(sealed: string, list: string): string;
}

/** The subgraph's 256-bit cursor key, derived from a secret (HKDF-SHA256, the subgraph's name as info). */
export function cursorKey(secret: string, subgraph: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'passerelle cursor', subgraph, 32));
}

/**
 * The secret the key is derived from: CURSOR_SECRET when given (required in production, see
 * config.ts), else a random one generated once in `<dataDir>/keys/<subgraph>.cursor.key`, so that
 * cursors survive a restart on the developers' machines.
 */
export function cursorSecret(config: { readonly name: string; readonly dataDir: string; readonly cursorSecret: string | null }): string {
  if (config.cursorSecret) return config.cursorSecret;
  const file = path.join(config.dataDir, 'keys', `${config.name}.cursor.key`);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process of the same subgraph wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

function notOurs(): never {
  reject(ErrorCode.INVALID_INPUT, 'after is not a cursor returned by this field', 'after');
}

export function cursorSeal(secretKey: Buffer, subgraph: string): CursorSeal {
  // One key object for every cipher (a Buffer is turned into a new one on each call).
  const key = createSecretKey(secretKey);
  const aad = (list: string) => Buffer.from(`${subgraph}/${list}`);
  return {
    seal(plain, list) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(list));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed, list) {
      if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_LENGTH || !/^[A-Za-z0-9_-]+$/.test(sealed)) notOurs();
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 1 || bytes[0] !== VERSION) notOurs();
      const iv = bytes.subarray(1, 1 + IV_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(aad(list)).setAuthTag(tag);
        return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return notOurs();
      }
    },
  };
}

interface PageLike {
  readonly pageInfo?: { readonly endCursor?: string | null } | null;
}

/**
 * Wraps every connection field of `schema` (a field whose type has `pageInfo`): its `after` argument
 * is opened before the resolver runs, the `endCursor` of its result sealed. Mutates and returns the schema.
 */
export function sealCursors(schema: GraphQLSchema, seal: CursorSeal): GraphQLSchema {
  const entityLists = new Map<string, string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const result = getNamedType(field.type);
      if (!isObjectType(result) || !result.getFields().pageInfo) continue;
      const list = `${type.name}.${field.name}`;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = async (source, args, context, info) => {
        const after = args.after == null ? args.after : seal.open(args.after, list);
        const page = (await resolve(source, args.after == null ? args : { ...args, after }, context, info)) as PageLike | null | undefined;
        return sealPage(page, list);
      };
      // A connection that is an entity gets its page from _entities (Person.auditTrail, paged across
      // subgraphs: kit/audit-trail.ts): sealed as the list of the one field that returns it.
      const reference = (result.extensions as { apollo?: { subgraph?: { resolveReference?: (...a: unknown[]) => unknown } } }).apollo?.subgraph;
      const resolveReference = reference?.resolveReference;
      if (!resolveReference) continue;
      if (entityLists.has(result.name)) throw new Error(`connection entity ${result.name} is returned by ${entityLists.get(result.name)} and ${list}: its cursors would belong to two lists`);
      entityLists.set(result.name, list);
      reference.resolveReference = async (...a: unknown[]) => sealPage((await resolveReference(...a)) as PageLike | null | undefined, list);
    }
  }
  return schema;

  /**
   * The page with its end cursor sealed when it is read: a page of 50 people holds 100 connections
   * whose `pageInfo` the caller seldom selects, and each seal costs an AES-GCM cipher. Only the sealed
   * cursor can be read from the page handed on; the plain one stays in the closure.
   */
  function sealPage(page: PageLike | null | undefined, list: string) {
    const endCursor = page?.pageInfo?.endCursor;
    if (!endCursor || Array.isArray(page)) return page;
    let sealed: string | undefined;
    const pageInfo = { ...page!.pageInfo };
    Object.defineProperty(pageInfo, 'endCursor', { enumerable: true, get: () => (sealed ??= seal.seal(endCursor, list)) });
    return { ...page, pageInfo };
  }
}
