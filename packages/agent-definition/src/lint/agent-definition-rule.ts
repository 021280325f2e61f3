/** Stable rule codes of {@link lintAgentDefinition}. */
export const AgentDefinitionRule = {
  /** The JSON does not match the AgentDefinition schema. */
  Schema: 'AGD001',
  /** A tool names a method the proto module does not have, or one that is not unary. */
  UnknownMethod: 'AGD002',
  /** A `read` tool maps to a method not declared `idempotency_level = NO_SIDE_EFFECTS`. */
  WriteMarkedRead: 'AGD003',
  /** No argument schema can be derived from the method's input message. */
  MissingSchema: 'AGD004',
  /** A constraint names an argument the method's input does not have. */
  UnknownArgument: 'AGD005',
  /** The graph loops (or the run could) and a limit that bounds it is not set. */
  UnboundedLoop: 'AGD006',
  /** A limit is above this platform's policy. */
  LimitAbovePolicy: 'AGD007',
  /** Two tools share a name. */
  DuplicateTool: 'AGD008',
  /** An `act` tool while `policy.allowAct` is false. */
  ActNotAllowed: 'AGD009',
  /** An edge names an unknown node, the entry is missing, or no answer node is reachable. */
  InvalidGraph: 'AGD010',
  /** A tool's service is outside `scope.services`. */
  OutOfScope: 'AGD011',
  /** A `propose` tool maps to a read method (nothing to propose) or to the agent service itself. */
  PointlessProposal: 'AGD012',
} as const;
export type AgentDefinitionRule = (typeof AgentDefinitionRule)[keyof typeof AgentDefinitionRule];
