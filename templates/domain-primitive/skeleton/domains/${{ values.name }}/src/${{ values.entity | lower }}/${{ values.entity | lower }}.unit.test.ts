import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { archive${{ values.entity }}, create${{ values.entity }}, rename${{ values.entity }}, ${{ values.entity | upper }}_EVENTS } from './${{ values.entity | lower }}.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-02T00:00:00Z');

describe('${{ values.entity }} decisions', () => {
  it('creates an active ${{ values.entity }} and says so in one event', () => {
    const d = create${{ values.entity }}('id-1', '  First  ', t0);
    expect(d.state).toMatchObject({ id: 'id-1', title: 'First', status: 'active' });
    expect(d.events).toEqual([{ type: ${{ values.entity | upper }}_EVENTS.created, payload: { title: 'First' } }]);
  });

  it('refuses an empty title, naming the field', () => {
    try {
      create${{ values.entity }}('id-1', '   ', t0);
      expect.unreachable();
    } catch (err) {
      expect(isAmeideError(err) && err.code).toBe('invalid_argument');
      expect(isAmeideError(err) && err.fieldViolations[0]?.field).toBe('title');
    }
  });

  it('renames with one event, and renaming to the same title writes nothing', () => {
    const { state } = create${{ values.entity }}('id-1', 'First', t0);
    const renamed = rename${{ values.entity }}(state, 'Second', t1);
    expect(renamed.state.title).toBe('Second');
    expect(renamed.events[0]?.type).toBe(${{ values.entity | upper }}_EVENTS.renamed);
    expect(rename${{ values.entity }}(renamed.state, 'Second', t1).events).toEqual([]);
  });

  it('archives once and refuses renaming an archived ${{ values.entity }}', () => {
    const { state } = create${{ values.entity }}('id-1', 'First', t0);
    const archived = archive${{ values.entity }}(state, t1);
    expect(archived.state.status).toBe('archived');
    expect(archive${{ values.entity }}(archived.state, t1).events).toEqual([]);
    expect(() => rename${{ values.entity }}(archived.state, 'Other', t1)).toThrow(/archived/);
  });
});
