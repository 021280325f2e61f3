import { AmeideError } from '@ameide/errors';
import type { Decision } from '@ameide/events';

/** Where a ${{ values.entity }} is in its life. */
export const ${{ values.entity }}Status = { active: 'active', archived: 'archived' } as const;
export type ${{ values.entity }}Status = (typeof ${{ values.entity }}Status)[keyof typeof ${{ values.entity }}Status];

/** The ${{ values.entity }} aggregate. */
export interface ${{ values.entity }} {
  readonly id: string;
  readonly title: string;
  readonly status: ${{ values.entity }}Status;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Event types, `<domain>.<aggregate>.<what happened>.v1`. */
export const ${{ values.entity | upper }}_EVENTS = {
  created: '${{ values.name }}.${{ values.entity | lower }}.created.v1',
  renamed: '${{ values.name }}.${{ values.entity | lower }}.renamed.v1',
  archived: '${{ values.name }}.${{ values.entity | lower }}.archived.v1',
} as const;

function checkTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 1 || trimmed.length > 200) {
    throw AmeideError.invalidArgument('title must be 1 to 200 characters', [
      { field: 'title', description: 'must be 1 to 200 characters' },
    ]);
  }
  return trimmed;
}

function refuseArchived(item: ${{ values.entity }}): void {
  if (item.status === ${{ values.entity }}Status.archived) {
    throw new AmeideError('failed_precondition', `${{ values.entity }} ${item.id} is archived`, {
      reason: '${{ values.entity | upper }}_ARCHIVED',
      domain: 'ameide.${{ values.name }}',
    });
  }
}

/** Decides `create`: a new active ${{ values.entity }}. */
export function create${{ values.entity }}(id: string, title: string, now: Date): Decision<${{ values.entity }}> {
  const state = { id, title: checkTitle(title), status: ${{ values.entity }}Status.active, createdAt: now, updatedAt: now };
  return { state, events: [{ type: ${{ values.entity | upper }}_EVENTS.created, payload: { title: state.title } }] };
}

/** Decides `rename`; the same title again changes nothing and writes no event. */
export function rename${{ values.entity }}(item: ${{ values.entity }}, title: string, now: Date): Decision<${{ values.entity }}> {
  refuseArchived(item);
  const next = checkTitle(title);
  if (next === item.title) return { state: item, events: [] };
  return {
    state: { ...item, title: next, updatedAt: now },
    events: [{ type: ${{ values.entity | upper }}_EVENTS.renamed, payload: { title: next, previous: item.title } }],
  };
}

/** Decides `archive`; archiving twice changes nothing. */
export function archive${{ values.entity }}(item: ${{ values.entity }}, now: Date): Decision<${{ values.entity }}> {
  if (item.status === ${{ values.entity }}Status.archived) return { state: item, events: [] };
  return {
    state: { ...item, status: ${{ values.entity }}Status.archived, updatedAt: now },
    events: [{ type: ${{ values.entity | upper }}_EVENTS.archived, payload: {} }],
  };
}
