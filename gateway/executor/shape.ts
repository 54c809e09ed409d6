// The client's answer from the tree the plan built, with the rules of ApolloGateway's
// computeResponse: only the fields the operation asked for, in its order, under its aliases;
// fragments applied when the object's __typename falls under their type condition (possible types
// of the supergraph's API schema); @skip/@include; __typename of root types filled in; leaf values
// checked against their type; a null in a non-null position nulls its parent, up to the nearest
// nullable field, with one error at the path where it happened; introspection answered locally.
// The operation's selections are compiled once per plan (directives, types and response names read
// once), so each answer is a walk over plain objects.
// @defer: shaped whole, a deferred fragment is one more fragment (the answer of a client that does
// not read incremental delivery). Shaped for incremental delivery, the first answer leaves out each
// active deferred fragment and records where it was met (a DeferredSite: path, object of the tree,
// selections); each site is shaped later, alone, as the piece of its deferred payload, and records
// the sites of the fragments deferred inside it.
import {
  ERRORS, isCompositeType, isListType, isNonNullType, isObjectType, isSubtype, isValidLeafValue, Variable,
  type CompositeType, type Directive, type FieldSelection, type Operation, type OperationElement, type OutputType, type Schema, type SelectionSet,
} from '@apollo/federation-internals';
import type { ResponsePath } from '@apollo/query-planner';
import type { GraphQLError } from 'graphql';

/** A @skip/@include argument: a literal or the name of a variable. */
type Condition = boolean | string;

interface FieldShape {
  readonly kind: 'field';
  readonly skip?: Condition;
  readonly include?: Condition;
  readonly responseName: string;
  readonly isTypename: boolean;
  readonly introspection?: FieldSelection;
  readonly type: OutputType;
  readonly selections?: Shape[];
}

interface FragmentShape {
  readonly kind: 'fragment';
  readonly skip?: Condition;
  readonly include?: Condition;
  readonly typeCondition?: CompositeType;
  /** `@defer`: its label (index.ts labels every @defer before planning) and its `if`, when a variable. */
  readonly defer?: { readonly label: string; readonly if?: string };
  readonly selections: Shape[];
}

type Shape = FieldShape | FragmentShape;

export interface ShapedAnswer {
  readonly data: Record<string, any> | null;
  readonly errors: GraphQLError[];
}

/** Where an active deferred fragment was met: its object in the answer and in the tree. */
export interface DeferredSite {
  readonly label: string;
  readonly path: ResponsePath;
  readonly input: Record<string, any>;
  readonly type: CompositeType;
  readonly selections: Shape[];
}

export interface Shaping {
  /** The client's answer; with `sites`, active deferred fragments are left out and recorded there. */
  answer(input: Record<string, any>, variables: Record<string, any> | undefined, sites?: DeferredSite[]): ShapedAnswer;
  /** The piece of one deferred payload: the fragment's selections on its object, at its path. */
  piece(site: DeferredSite, variables: Record<string, any> | undefined, sites: DeferredSite[]): ShapedAnswer;
}

const hasOwn = Object.prototype.hasOwnProperty;
const OK = 0;
const NULL_BUBBLE_UP = 1;

function conditionsOf(element: OperationElement, schema: Schema): { skip?: Condition; include?: Condition } {
  const value = (directive: Directive<any, { if: boolean | Variable }> | undefined): Condition | undefined => {
    if (!directive) return undefined;
    const argument = directive.arguments().if;
    return argument instanceof Variable ? argument.name : argument;
  };
  return {
    skip: value(element.appliedDirectivesOf(schema.skipDirective())[0]),
    include: value(element.appliedDirectivesOf(schema.includeDirective())[0]),
  };
}

function compile(selectionSet: SelectionSet, schema: Schema): Shape[] {
  return selectionSet.selections().map((selection): Shape => {
    const conditions = conditionsOf(selection.element, schema);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      return {
        kind: 'field', ...conditions,
        responseName: field.responseName(),
        isTypename: field.name === '__typename',
        introspection: field.definition.isSchemaIntrospectionField() ? selection : undefined,
        type: field.definition.type!,
        selections: selection.selectionSet && compile(selection.selectionSet, schema),
      };
    }
    const deferArgs = selection.element.deferDirectiveArgs();
    const defer = deferArgs?.label === undefined ? undefined : { label: deferArgs.label, if: deferArgs.if instanceof Variable ? deferArgs.if.name : undefined };
    return { kind: 'fragment', ...conditions, typeCondition: selection.element.typeCondition, defer, selections: compile(selection.selectionSet, schema) };
  });
}

/** Compiles the shaping of one operation's answers; `introspect` answers `__schema`/`__type`. */
export function compileShaping(operation: Operation, introspect: (field: FieldSelection, variables: Record<string, any> | undefined) => any): Shaping {
  const schema = operation.schema();
  const root = compile(operation.selectionSet, schema);
  const rootType = schema.schemaDefinition.rootType(operation.rootKind)!;
  const defaults = operation.collectDefaultedVariableValues();
  const applies = new Map<string, boolean>();

  const walk = (input: Record<string, any>, shapes: Shape[], type: CompositeType, requestVariables: Record<string, any> | undefined, at: ResponsePath, sites: DeferredSite[] | undefined): ShapedAnswer => {
    const variables: Record<string, any> = { __proto__: null, ...defaults, ...requestVariables };
    const errors: GraphQLError[] = [];
    const path: ResponsePath = Array.from(at);

    const skipped = (shape: Shape): boolean => {
      if (shape.skip !== undefined && (typeof shape.skip === 'boolean' ? shape.skip : variables[shape.skip] === true)) return true;
      return shape.include !== undefined && !(typeof shape.include === 'boolean' ? shape.include : variables[shape.include] === true);
    };

    const typeConditionApplies = (condition: CompositeType | undefined, typename: string | undefined, parentType: CompositeType): boolean => {
      if (!condition) return true;
      const key = typename ? `${condition.name}\n${typename}` : `${condition.name}\n\n${parentType.name}`;
      let result = applies.get(key);
      if (result === undefined) {
        if (typename) {
          const type = schema.type(typename);
          result = !!type && isSubtype(condition, type);
        } else {
          result = isSubtype(condition, parentType);
        }
        applies.set(key, result);
      }
      return result;
    };

    const describe = (type: OutputType, parentType: CompositeType): string => {
      const element = path[path.length - 1];
      return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${type} at index ${element}`;
    };

    // updateOutputValue's two flags, read by the caller right after each call.
    let invalid = false;
    let hadErrors = false;

    const applySelections = (input: Record<string, any>, shapes: Shape[], output: Record<string, any>, parentType: CompositeType): number => {
      for (const shape of shapes) {
        if (skipped(shape)) continue;
        if (shape.kind === 'field') {
          const responseName = shape.responseName;
          const outputValue = output[responseName];
          if (shape.introspection) {
            if (outputValue === undefined) output[responseName] = introspect(shape.introspection, requestVariables);
            continue;
          }
          let inputValue = (hasOwn.call(input, responseName) ? input[responseName] : undefined) ?? null;
          if (shape.isTypename) {
            if (outputValue === undefined) {
              if (inputValue === null && responseName !== '__typename') inputValue = input.__typename ?? null;
              const type = inputValue !== null && typeof inputValue === 'string' ? schema.type(inputValue) ?? parentType : parentType;
              if (!isObjectType(type)) return NULL_BUBBLE_UP;
              output[responseName] = type.name;
            }
            continue;
          }
          path.push(responseName);
          const updated = updateValue(outputValue, shape.type, inputValue, shape.selections, parentType);
          output[responseName] = updated;
          path.pop();
          if (invalid) return NULL_BUBBLE_UP;
        } else {
          const typename = input.__typename;
          if (typename && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${typename}`);
          if (typeConditionApplies(shape.typeCondition, typename, parentType)) {
            const defer = shape.defer;
            if (sites && defer && (defer.if === undefined || variables[defer.if] === true)) {
              sites.push({ label: defer.label, path: Array.from(path), input, type: shape.typeCondition ?? parentType, selections: shape.selections });
              continue;
            }
            if (applySelections(input, shape.selections, output, shape.typeCondition ?? parentType) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
          }
        }
      }
      return OK;
    };

    const updateValue = (outputValue: any, type: OutputType, inputValue: any, selections: Shape[] | undefined, parentType: CompositeType): any => {
      invalid = false;
      hadErrors = false;
      if (outputValue === null || (outputValue !== undefined && !selections)) return outputValue;

      if (isNonNullType(type)) {
        const updated = updateValue(outputValue, type.ofType, inputValue, selections, parentType);
        if (updated === null) {
          if (!hadErrors) errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describe(type.ofType, parentType)}.`, { path: Array.from(path) }));
          invalid = true;
          hadErrors = true;
          return updated;
        }
        invalid = false;
        hadErrors = false;
        return updated;
      }

      if (inputValue === null) return null;

      if (isListType(type)) {
        if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${inputValue} returned by subgraph for list type ${type}`);
        if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value ${outputValue} returned by subgraph for list type ${type}`);
        const list: any[] = outputValue === undefined ? new Array(inputValue.length).fill(undefined) : outputValue;
        if (inputValue.length !== list.length) throw new Error(`[${inputValue}].length (${inputValue.length}) !== [${list}].length (${list.length})`);
        let nullify = false;
        let anyErrors = false;
        const updated = new Array(list.length);
        for (let i = 0; i < list.length; i++) {
          path.push(i);
          updated[i] = updateValue(list[i], type.ofType, inputValue[i], selections, parentType);
          path.pop();
          nullify ||= invalid;
          anyErrors ||= hadErrors;
        }
        invalid = false;
        hadErrors = anyErrors;
        return nullify ? null : updated;
      }

      if (isCompositeType(type)) {
        if (!selections) throw new Error(`Invalid empty selection set for composite type ${type}`);
        if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
        if (outputValue !== undefined && typeof outputValue !== 'object') throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
        const inputTypename = inputValue.__typename;
        if (inputTypename !== undefined && typeof inputTypename !== 'string') throw new Error(`Invalid non-string value ${inputTypename} for __typename at ${path}`);
        let objectType: CompositeType = type;
        if (inputTypename) {
          const named = schema.type(inputTypename);
          if (!named || !isCompositeType(named)) {
            errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describe(type, parentType)}.`, { path: Array.from(path) }));
            invalid = false;
            hadErrors = true;
            return null;
          }
          objectType = named;
        }
        const object: Record<string, any> = outputValue === undefined ? Object.create(null) : outputValue;
        const bubbled = applySelections(inputValue, selections, object, objectType) === NULL_BUBBLE_UP;
        invalid = false;
        hadErrors = bubbled;
        return bubbled ? null : object;
      }

      if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${type} for type ${type}`);
      const valid = isValidLeafValue(schema, inputValue, type);
      if (!valid) errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describe(type, parentType)}.`, { path: Array.from(path) }));
      invalid = false;
      hadErrors = !valid;
      return valid ? inputValue : null;
    };

    const data = Object.create(null);
    const result = applySelections(input, shapes, data, type);
    return { data: result === NULL_BUBBLE_UP ? null : data, errors };
  };

  return {
    answer: (input, variables, sites) => walk(input, root, rootType, variables, [], sites),
    piece: (site, variables, sites) => walk(site.input, site.selections, site.type, variables, site.path, sites),
  };
}
