/** The name of the shipped review process. */
export const PROPOSAL_REVIEW_PROCESS = 'agent-proposal-review';

/**
 * The shipped ProcessDefinition that decides an agent's proposal: a user task for the
 * definition's approver group (approve or reject, with a comment), then, when approved, a
 * service task that applies it through `AgentService/ApplyProposal` — which calls the proposed
 * method with the proposal id as idempotency key, so a retried task applies it once.
 * `ameide dev` and the AgentService publish it in a tenant before its first proposal.
 */
export const agentProposalReviewDefinition = {
  schemaVersion: 1,
  id: PROPOSAL_REVIEW_PROCESS,
  name: 'Agent proposal review',
  documentation:
    "A person of the agent definition's approver group approves or rejects a change an agent proposed; an approved proposal is applied once.",
  variables: [
    { name: 'proposalId', type: 'string', required: true },
    { name: 'approverGroup', type: 'string', required: true },
    { name: 'summary', type: 'string' },
  ],
  nodes: [
    {
      id: 'Start',
      type: 'startEvent',
      position: { x: 100, y: 200 },
      data: { name: 'Proposal made' },
    },
    {
      id: 'Task_Review',
      type: 'userTask',
      position: { x: 220, y: 178 },
      data: {
        name: 'Review proposal',
        binding: {
          title: "Review the agent's proposal",
          candidateGroups: '[approverGroup]',
          form: {
            type: 'object',
            properties: {
              approved: { type: 'boolean' },
              comment: { type: 'string', maxLength: 2000 },
            },
            required: ['approved'],
          },
          output: '{ approved: submission.approved }',
        },
      },
    },
    {
      id: 'Gateway_Decision',
      type: 'exclusiveGateway',
      position: { x: 400, y: 193 },
      data: { name: 'Approved?' },
    },
    {
      id: 'Task_Apply',
      type: 'serviceTask',
      position: { x: 520, y: 120 },
      data: {
        name: 'Apply proposal',
        binding: {
          service: 'ameide.agents.v1.AgentService',
          method: 'ApplyProposal',
          input: '{ proposalId: proposalId }',
          output: '{ proposalStatus: response.proposal.status }',
          timeout: 'PT60S',
        },
      },
    },
    {
      id: 'End_Applied',
      type: 'endEvent',
      position: { x: 700, y: 142 },
      data: { name: 'Applied' },
    },
    {
      id: 'End_Rejected',
      type: 'endEvent',
      position: { x: 700, y: 282 },
      data: { name: 'Rejected' },
    },
  ],
  edges: [
    { id: 'Flow_1', source: 'Start', target: 'Task_Review' },
    { id: 'Flow_2', source: 'Task_Review', target: 'Gateway_Decision' },
    {
      id: 'Flow_Approved',
      source: 'Gateway_Decision',
      target: 'Task_Apply',
      data: { name: 'approved', condition: 'approved = true' },
    },
    {
      id: 'Flow_Rejected',
      source: 'Gateway_Decision',
      target: 'End_Rejected',
      data: { name: 'rejected', isDefault: true },
    },
    { id: 'Flow_3', source: 'Task_Apply', target: 'End_Applied' },
  ],
} as const;
