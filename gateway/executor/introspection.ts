// `__schema` and `__type` in an operation are answered by the gateway from the API schema, as
// ApolloGateway does: the field alone (fragments expanded) in a query of its own, with the
// operation's variables it uses.
import type { FieldSelection } from '@apollo/federation-internals';
import { executeSync, Kind, OperationTypeNode, visit, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';

export function introspection(schema: GraphQLSchema, variableDefinitions: readonly VariableDefinitionNode[] | undefined) {
  return (field: FieldSelection, variables: Record<string, any> | undefined): unknown => {
    const selection = field.expandFragments().toSelectionNode();
    const used = new Set<string>();
    visit(selection, { Variable: ({ name }) => void used.add(name.value) });
    const definitions = variableDefinitions?.filter((definition) => used.has(definition.variable.name.value));
    const { data, errors } = executeSync({
      schema,
      document: { kind: Kind.DOCUMENT, definitions: [{ kind: Kind.OPERATION_DEFINITION, operation: OperationTypeNode.QUERY, variableDefinitions: definitions, selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] } }] },
      rootValue: {},
      variableValues: variables,
    });
    if (errors?.length || !data) throw new Error(`Introspection query for ${selection.name.value} should not have failed`);
    const key = selection.alias?.value ?? selection.name.value;
    return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
  };
}
