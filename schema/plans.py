"""GraphQL selection -> neutral read plan (``policies.plan``), with no SQL here.

Walks the selection the way GraphQL's CollectFields does: fragments and inline fragments are
flattened, ``@skip``/``@include`` honoured, and repeated response keys merged, so the plan's
keys are exactly the response's keys in the response's order.
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
)

from policies.plan import FieldPlan, NodePlan, Selected


class SelectionReader:
    """Reads selections of one operation (its fragments and variables)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = VariableValues(sources={}, coerced=variables)

    @classmethod
    def from_info(cls, info: GraphQLResolveInfo) -> "SelectionReader":
        """A reader for the operation ``info`` belongs to."""
        raw: Any = info.variable_values
        coerced = raw.coerced if isinstance(raw, VariableValues) else dict(raw or {})
        return cls(info.schema, info.fragments, coerced)

    def collect(
        self, type_name: str, selection_sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Response key -> the field nodes under it, in first-appearance order."""
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect_into(type_name, selection_set, fields, set())
        return fields

    def _collect_into(
        self,
        type_name: str,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or condition.name.value == type_name:
                    self._collect_into(type_name, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if fragment.type_condition.name.value == type_name:
                    self._collect_into(type_name, fragment.selection_set, fields, visited)

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def node_plan(self, type_name: str, selection_sets: list[SelectionSetNode]) -> NodePlan:
        """The plan for an object of ``type_name`` selected by ``selection_sets``."""
        object_type = self.schema.get_type(type_name)
        if not isinstance(object_type, GraphQLObjectType):
            raise TypeError(f"{type_name} is not an object type")
        planned = []
        for key, nodes in self.collect(type_name, selection_sets).items():
            name = nodes[0].name.value
            if name == "__typename":
                planned.append(FieldPlan(key, name, Selected.TYPENAME))
                continue
            field_def = object_type.fields[name]
            arguments = get_argument_values(field_def, nodes[0], self.variables)
            named = get_named_type(field_def.type)
            if not isinstance(named, GraphQLObjectType):
                planned.append(FieldPlan(key, name, Selected.SCALAR, arguments=arguments))
                continue
            child_sets = [n.selection_set for n in nodes if n.selection_set is not None]
            kind = Selected.LIST if _is_list(field_def.type) else Selected.OBJECT
            child = self.node_plan(named.name, child_sets)
            planned.append(FieldPlan(key, name, kind, child, arguments))
        return NodePlan(type_name, tuple(planned))


def _is_list(output_type: GraphQLOutputType) -> bool:
    while isinstance(output_type, GraphQLNonNull):
        output_type = output_type.of_type
    return isinstance(output_type, GraphQLList)


def root_node_plan(info: GraphQLResolveInfo, type_name: str) -> NodePlan:
    """The plan for the object the current root field returns."""
    reader = SelectionReader.from_info(info)
    sets = [node.selection_set for node in info.field_nodes if node.selection_set is not None]
    return reader.node_plan(type_name, sets)
