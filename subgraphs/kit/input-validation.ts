// Text that cannot be stored or shown is refused before any resolver runs: a NUL (PostgreSQL refuses
// it in text; it used to answer `internal error`), any other control character, and broken Unicode
// (a lone surrogate, which the drivers would silently turn into U+FFFD). Tab, line feed and carriage
// return are allowed only in free-text fields (a note typed by a counsellor). The answer is a typed
// BAD_USER_INPUT naming the argument or input field, with HTTP 400, and nothing is executed.
//
// Every string of the request is checked: literal arguments and input fields in the document, and
// variables (down to nested input objects and lists). The gateway applies it to what clients send
// (gateway/input-validation.ts) and each subgraph again to what it receives (kit/server.ts), except
// `_entities` representations, which the gateway builds from the partners' own data.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type ArgumentNode, type DocumentNode, type ValueNode } from 'graphql';

/** Input fields whose values are free text typed by a person: they may hold tabs and line breaks. */
export const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set(['note', 'medicalRestrictions']);

// C0 controls and DEL, and C1 controls; tab (09), line feed (0A) and carriage return (0D) separately.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;

/** Why `text` is refused in the field `field`, or null when it is acceptable. */
export function textProblem(text: string, field: string): string | null {
  if (!text.isWellFormed()) return `${field} is not well-formed Unicode (a lone surrogate)`;
  if (text.includes('\u0000')) return `${field} contains a NUL character`;
  if (CONTROL.test(text)) return `${field} contains a control character`;
  if (!FREE_TEXT_FIELDS.has(field) && LINE_BREAK_OR_TAB.test(text)) return `${field} cannot contain tabs or line breaks`;
  return null;
}

export interface InputProblem {
  /** The argument or input field holding the text. */
  readonly field: string;
  readonly message: string;
}

/** The first string of a variable's value (named `field` where it is used) that is refused. */
function inVariable(value: unknown, field: string): InputProblem | null {
  if (typeof value === 'string') {
    const message = textProblem(value, field);
    return message ? { field, message } : null;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = inVariable(item, field);
      if (problem) return problem;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = inVariable(item, key);
      if (problem) return problem;
    }
  }
  return null;
}

function inValue(node: ValueNode, field: string, variables: Readonly<Record<string, unknown>>): InputProblem | null {
  switch (node.kind) {
    case Kind.STRING: {
      const message = textProblem(node.value, field);
      return message ? { field, message } : null;
    }
    case Kind.VARIABLE:
      return inVariable(variables[node.name.value], field);
    case Kind.LIST:
      for (const item of node.values) {
        const problem = inValue(item, field, variables);
        if (problem) return problem;
      }
      return null;
    case Kind.OBJECT:
      for (const item of node.fields) {
        const problem = inValue(item.value, item.name.value, variables);
        if (problem) return problem;
      }
      return null;
    default:
      return null;
  }
}

/**
 * The first refused string among the arguments of `document` (literals, the variables they use and
 * the default values of variables not sent), or null. Variables a document does not use are refused
 * by GraphQL's validation before this runs.
 */
export function findInvalidInput(document: DocumentNode, variables: Readonly<Record<string, unknown>> = {}): InputProblem | null {
  let found: InputProblem | null = null;
  const check = (args: readonly ArgumentNode[] | undefined, skip?: string) => {
    for (const arg of args ?? []) if (!found && arg.name.value !== skip) found = inValue(arg.value, arg.name.value, variables);
  };
  visit(document, {
    VariableDefinition(node) {
      const name = node.variable.name.value;
      if (!found && node.defaultValue && variables[name] === undefined) found = inValue(node.defaultValue, name, {});
    },
    // `_entities` representations are built by the gateway from the partners' data, not typed by a client.
    Field(node) {
      check(node.arguments, node.name.value === '_entities' ? 'representations' : undefined);
    },
    Directive(node) {
      check(node.arguments);
    },
  });
  return found;
}

/** The Apollo Server plugin: refuses the request once its operation is known, before it executes. */
export function inputValidation<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const problem = findInvalidInput(document, request.variables ?? {});
          if (problem) throw new GraphQLError(problem.message, { extensions: { code: 'BAD_USER_INPUT', field: problem.field, http: { status: 400 } } });
        },
      };
    },
  };
}
