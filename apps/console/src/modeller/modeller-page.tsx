import { useCallback, useEffect, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { ArtifactKind, ArtifactStatus, type Artifact } from '@ameide/proto';
import { isAmeideError } from '@ameide/errors';
import {
  parseProcessDefinition,
  type Diagnostic,
  type ProcessDefinition,
} from '@ameide/process-definition';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError, isVersionConflict } from '../api/describe-error.js';
import { addLane, addNode, createEmptyDefinition } from '../model/edit-definition.js';
import { copyElements, pasteElements, type ClipboardContent } from '../model/clipboard.js';
import { defaultSize, paletteItem } from '../model/node-kinds.js';
import { downloadBpmn, importBpmnFile } from './bpmn-files.js';
import { DiagnosticsPanel } from './diagnostics-panel.js';
import { HistoryPanel } from './history-panel.js';
import { Palette } from './palette.js';
import { ProcessCanvas, GRID, type FocusRequest } from './process-canvas.js';
import { PropertiesPanel } from './properties-panel.js';
import { markStart } from './perf-marks.js';
import { useProcessEditor } from './use-process-editor.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
type Go = (to: string) => void;

/** In-app clipboard (shared by every open modeller of this tab). */
let clipboard: ClipboardContent | undefined;

function parseContent(artifact: Artifact): ProcessDefinition {
  const parsed = parseProcessDefinition(decoder.decode(artifact.content));
  if (!parsed.ok)
    throw new Error(
      `stored definition does not parse: ${parsed.errors[0]?.path} ${parsed.errors[0]?.message}`,
    );
  return parsed.definition;
}

/** Opens a stored definition (or a new / imported one) in the modeller. */
export function ModellerPage({
  client,
  artifactId,
  initial,
  initialMessage,
  go,
}: {
  client: AmeideClient;
  artifactId?: string;
  initial?: ProcessDefinition | undefined;
  initialMessage?: string | undefined;
  go: Go;
}) {
  const [loaded, setLoaded] = useState<{
    artifact?: Artifact;
    definition: ProcessDefinition;
    seq: number;
  }>();
  const [error, setError] = useState<string>();
  // A new definition gets its id on first save; reloading (after a conflict) must open that.
  const createdId = useRef<string | undefined>(undefined);
  const load = useCallback(async () => {
    markStart('open');
    const id = artifactId ?? createdId.current;
    if (!id) {
      setLoaded({
        definition: initial ?? createEmptyDefinition('Process_1', 'New process'),
        seq: Date.now(),
      });
      return;
    }
    try {
      const { artifact } = await client.transformation.getArtifact({ artifactId: id });
      if (!artifact) throw new Error('not found');
      setLoaded({ artifact, definition: parseContent(artifact), seq: Date.now() });
      setError(undefined);
    } catch (err) {
      setError(describeError(err));
    }
  }, [client, artifactId, initial]);
  useEffect(() => {
    void load();
  }, [load]);
  if (error)
    return (
      <main className="list-page">
        <p role="alert" className="error">
          Cannot open the definition: {error}
        </p>
        <button type="button" onClick={() => go('/')}>
          Back to the list
        </button>
      </main>
    );
  if (!loaded)
    return (
      <main aria-busy="true" className="list-page">
        Loading…
      </main>
    );
  return (
    <ReactFlowProvider key={loaded.seq}>
      <ModellerView
        client={client}
        artifact={loaded.artifact}
        definition={loaded.definition}
        initialMessage={loaded.artifact ? undefined : initialMessage}
        onCreated={(id) => (createdId.current = id)}
        reload={() => void load()}
      />
    </ReactFlowProvider>
  );
}

function ModellerView({
  client,
  artifact: initialArtifact,
  definition: initialDefinition,
  initialMessage,
  onCreated,
  reload,
}: {
  client: AmeideClient;
  artifact: Artifact | undefined;
  definition: ProcessDefinition;
  initialMessage: string | undefined;
  onCreated: (id: string) => void;
  reload: () => void;
}) {
  const editor = useProcessEditor(initialDefinition);
  const { definition } = editor;
  const [artifact, setArtifact] = useState(initialArtifact);
  const saved = useRef<ProcessDefinition | undefined>(
    initialArtifact ? initialDefinition : undefined,
  );
  const dirty = saved.current !== definition;
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<string | undefined>(initialMessage);
  const [conflict, setConflict] = useState<string>();
  const [publishErrors, setPublishErrors] = useState<Diagnostic[]>();
  const [importFindings, setImportFindings] = useState<Diagnostic[]>();
  const [focus, setFocus] = useState<FocusRequest>();
  const [fitSeq, setFitSeq] = useState(0);
  const [viewing, setViewing] = useState<{
    streamVersion: bigint;
    definition: ProcessDefinition;
  }>();
  const fileInput = useRef<HTMLInputElement>(null);
  const flow = useReactFlow();

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // A refused publish lists the errors of what was published; once the diagram changes they are stale.
  const publishedFrom = useRef<ProcessDefinition | undefined>(undefined);
  useEffect(() => {
    if (publishedFrom.current && publishedFrom.current !== definition) setPublishErrors(undefined);
  }, [definition]);

  const selectElement = useCallback(
    (id: string) => {
      const isEdge = definition.edges.some((e) => e.id === id);
      const isNode =
        definition.nodes.some((n) => n.id === id) || definition.lanes.some((l) => l.id === id);
      editor.select({ nodes: new Set(isNode ? [id] : []), edges: new Set(isEdge ? [id] : []) });
      setFocus({ id, seq: Date.now() });
    },
    [definition, editor],
  );

  const save = useCallback(async (): Promise<Artifact | undefined> => {
    const content = encoder.encode(JSON.stringify(definition));
    setBusy('Saving…');
    try {
      let next: Artifact | undefined;
      if (!artifact) {
        const r = await client.transformation.createArtifact({
          kind: ArtifactKind.PROCESS_DEFINITION,
          name: definition.name || definition.id,
          contentType: 'application/json',
          content,
        });
        next = r.artifact;
        if (next) {
          onCreated(next.id);
          window.history.replaceState(null, '', `#/definitions/${encodeURIComponent(next.id)}`);
        }
      } else {
        const r = await client.transformation.reviseArtifact({
          artifactId: artifact.id,
          expectedVersion: artifact.streamVersion,
          content,
        });
        next = r.artifact;
      }
      if (!next) throw new Error('the platform answered without the artifact');
      saved.current = definition;
      setArtifact(next);
      setConflict(undefined);
      setMessage(`Saved (version ${String(next.streamVersion)})`);
      return next;
    } catch (err) {
      if (isVersionConflict(err)) {
        const c = isAmeideError(err) ? err.conflict : undefined;
        setConflict(
          `Someone else saved this definition since you opened it${c ? ` (you edited version ${String(c.expectedVersion)}, it is now at ${String(c.actualVersion)})` : ''}. Reload to get the current version — your unsaved changes will be lost.`,
        );
      } else setMessage(`Save failed: ${describeError(err)}`);
      return undefined;
    } finally {
      setBusy(undefined);
    }
  }, [artifact, client, definition, onCreated]);

  const publish = useCallback(async () => {
    const current = !artifact || dirty ? await save() : artifact;
    if (!current) return;
    setBusy('Publishing…');
    try {
      const r = await client.transformation.publishArtifact({
        artifactId: current.id,
        expectedVersion: current.streamVersion,
      });
      if (r.artifact) setArtifact(r.artifact);
      setPublishErrors(undefined);
      setMessage(`Published version ${r.artifact?.latestPublishedVersion ?? '?'}`);
    } catch (err) {
      if (isAmeideError(err) && err.fieldViolations.length > 0) {
        publishedFrom.current = definition;
        setPublishErrors(
          err.fieldViolations.map((f) => {
            const m = /^([^:]+): (.*)$/s.exec(f.description);
            return {
              code: m?.[1] ?? 'publish',
              severity: 'error',
              message: m?.[2] ?? f.description,
              elementId: elementOfField(f.field),
              elementKind: 'node',
            } satisfies Diagnostic;
          }),
        );
        setMessage(
          `Publish refused: ${err.fieldViolations.length} lint error(s) — fix them and publish again`,
        );
      } else if (isVersionConflict(err))
        setConflict(
          'Someone else changed this definition before you published. Reload to get the current version.',
        );
      else setMessage(`Publish failed: ${describeError(err)}`);
    } finally {
      setBusy(undefined);
    }
  }, [artifact, client, definition, dirty, save]);

  const view = useCallback(
    async (streamVersion: bigint) => {
      if (!artifact) return;
      try {
        const { artifact: a } = await client.transformation.getArtifact({
          artifactId: artifact.id,
          at: { case: 'streamVersion', value: streamVersion },
        });
        if (a) setViewing({ streamVersion, definition: parseContent(a) });
      } catch (err) {
        setMessage(`Cannot open version ${String(streamVersion)}: ${describeError(err)}`);
      }
    },
    [artifact, client],
  );

  const centre = () => {
    const el = document.querySelector('.canvas')?.getBoundingClientRect();
    return flow.screenToFlowPosition({
      x: (el?.left ?? 0) + (el?.width ?? 800) / 2,
      y: (el?.top ?? 0) + (el?.height ?? 600) / 2,
    });
  };
  const addFromPalette = (key: string) => {
    const p = centre();
    if (key === 'lane')
      return editor.edit(
        (d) =>
          addLane(
            d,
            { x: Math.round(p.x / GRID) * GRID - 450, y: Math.round(p.y / GRID) * GRID - 110 },
            'Lane',
          ),
        true,
      );
    const item = paletteItem(key);
    if (!item) return;
    const size = defaultSize(item.type);
    // Stagger so repeated clicks do not stack nodes on each other.
    editor.edit((d) => {
      const n = d.nodes.length % 8;
      return addNode(d, {
        type: item.type,
        data: item.data(),
        position: {
          x: Math.round((p.x - size.width / 2 + n * 20) / GRID) * GRID,
          y: Math.round((p.y - size.height / 2 + n * 20) / GRID) * GRID,
        },
      });
    }, true);
  };

  const importFile = async (file: File) => {
    const outcome = await importBpmnFile(client, file);
    setImportFindings(
      outcome.diagnostics.length
        ? outcome.diagnostics.map((d) => ({ ...d, severity: 'warning', elementKind: 'node' }))
        : undefined,
    );
    setMessage(outcome.message);
    if (outcome.definition) {
      editor.apply({ ok: true, definition: outcome.definition, ids: [] });
      setFitSeq((s) => s + 1);
    }
  };

  const layout = async () => {
    const { autoLayout } = await import('../model/auto-layout.js');
    editor.apply({ ok: true, definition: await autoLayout(definition), ids: [] });
    setFitSeq((s) => s + 1);
  };

  // Keyboard shortcuts (React Flow handles Delete/Backspace, Shift-drag box selection, Ctrl-click).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (viewing || (t && t.closest('input, textarea, select, [contenteditable="true"]') !== null))
        return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z' && !e.shiftKey) editor.undo();
      else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) editor.redo();
      else if (mod && key === 'c')
        clipboard = copyElements(definition, [...editor.selection.nodes]);
      else if (mod && key === 'x') {
        clipboard = copyElements(definition, [...editor.selection.nodes]);
        flow
          .deleteElements({ nodes: [...editor.selection.nodes].map((id) => ({ id })) })
          .catch(() => undefined);
      } else if (mod && key === 'v') {
        if (clipboard) {
          const content = clipboard;
          editor.edit((d) => pasteElements(d, content), true);
        }
      } else if (mod && key === 'a')
        editor.select({
          nodes: new Set(definition.nodes.map((n) => n.id)),
          edges: new Set(definition.edges.map((x) => x.id)),
        });
      else if (mod && key === 's') void save();
      else if (!mod && key === 'f') void flow.fitView({ padding: 0.1, duration: 200 });
      else if (key === 'escape') editor.select({ nodes: new Set(), edges: new Set() });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [definition, editor, flow, save, viewing]);

  const status = artifact
    ? `${artifact.name} · ${artifact.status === ArtifactStatus.PUBLISHED && !dirty ? 'published' : 'draft'} · version ${String(artifact.streamVersion)}${artifact.latestPublishedVersion ? ` · latest published v${artifact.latestPublishedVersion}` : ''}`
    : 'not saved yet';

  return (
    <main className="modeller">
      <div className="toolbar" role="toolbar" aria-label="Modeller">
        <h1 className="title">{definition.name ?? definition.id}</h1>
        <span className="status" data-testid="artifact-status">
          {status}
          {dirty && <span className="dirty"> · unsaved changes</span>}
        </span>
        <span className="spacer" />
        <button
          type="button"
          onClick={editor.undo}
          disabled={!editor.canUndo || !!viewing}
          title="Undo (Ctrl+Z)"
        >
          Undo
        </button>
        <button
          type="button"
          onClick={editor.redo}
          disabled={!editor.canRedo || !!viewing}
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
        <button
          type="button"
          onClick={() => void layout()}
          disabled={!!viewing}
          title="Lay the diagram out automatically (elk)"
        >
          Auto-layout
        </button>
        <button type="button" onClick={() => fileInput.current?.click()} disabled={!!viewing}>
          Import BPMN…
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept=".bpmn,.xml,application/xml,text/xml"
          aria-label="Import BPMN file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
        <button
          type="button"
          onClick={() =>
            void downloadBpmn(client, viewing?.definition ?? definition).catch((err: unknown) =>
              setMessage(`Export failed: ${describeError(err)}`),
            )
          }
        >
          Export BPMN
        </button>
        <button
          type="button"
          onClick={() => void save()}
          disabled={!!busy || !!viewing || (!dirty && !!artifact)}
          title="Save the draft (Ctrl+S)"
        >
          Save
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void publish()}
          disabled={!!busy || !!viewing}
        >
          Publish
        </button>
      </div>
      {conflict && (
        <div role="alert" className="banner conflict">
          {conflict}{' '}
          <button type="button" onClick={reload}>
            Reload
          </button>{' '}
          <button type="button" onClick={() => setConflict(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {viewing && (
        <div role="status" className="banner viewing">
          Viewing version {String(viewing.streamVersion)} (read-only).{' '}
          <button type="button" onClick={() => setViewing(undefined)}>
            Back to the draft
          </button>
        </div>
      )}
      <div className="workspace">
        <Palette onAdd={addFromPalette} disabled={!!viewing} />
        {viewing ? (
          <ReactFlowProvider key={String(viewing.streamVersion)}>
            <ReadOnlyView definition={viewing.definition}>
              {artifact && (
                <HistoryPanel
                  client={client}
                  artifactId={artifact.id}
                  refreshKey={artifact.streamVersion}
                  viewing={viewing.streamVersion}
                  onView={(v) => void view(v)}
                />
              )}
            </ReadOnlyView>
          </ReactFlowProvider>
        ) : (
          <>
            <ProcessCanvas editor={editor} readOnly={false} focus={focus} fitSeq={fitSeq} />
            <div className="side">
              <PropertiesPanel
                definition={definition}
                selectedNodes={editor.selection.nodes}
                selectedEdges={editor.selection.edges}
                apply={editor.apply}
                readOnly={false}
              />
              {publishErrors && (
                <DiagnosticsPanel
                  title="Publish refused"
                  diagnostics={publishErrors}
                  onSelect={selectElement}
                  pending={false}
                />
              )}
              <DiagnosticsPanel
                diagnostics={editor.diagnostics}
                onSelect={selectElement}
                pending={editor.lintPending}
              />
              {importFindings && (
                <DiagnosticsPanel
                  title="Import findings"
                  diagnostics={importFindings}
                  onSelect={selectElement}
                  pending={false}
                />
              )}
              {artifact && (
                <HistoryPanel
                  client={client}
                  artifactId={artifact.id}
                  refreshKey={artifact.streamVersion}
                  viewing={undefined}
                  onView={(v) => void view(v)}
                />
              )}
            </div>
          </>
        )}
      </div>
      <footer className="statusbar" role="status" aria-live="polite" data-testid="message">
        {busy ?? editor.notice ?? message ?? ''}
        <span className="hint">
          {' '}
          {definition.nodes.length} nodes · lint {editor.lintMs.toFixed(0)} ms
        </span>
      </footer>
    </main>
  );
}

/** A past version: the same diagram and panels, nothing editable. */
function ReadOnlyView({
  definition,
  children,
}: {
  definition: ProcessDefinition;
  children?: React.ReactNode;
}) {
  const editor = useProcessEditor(definition);
  return (
    <>
      <ProcessCanvas editor={editor} readOnly focus={undefined} fitSeq={0} />
      <div className="side">
        <PropertiesPanel
          definition={editor.definition}
          selectedNodes={editor.selection.nodes}
          selectedEdges={editor.selection.edges}
          apply={() => undefined}
          readOnly
        />
        <DiagnosticsPanel
          diagnostics={editor.diagnostics}
          onSelect={(id) => editor.select({ nodes: new Set([id]), edges: new Set() })}
          pending={false}
        />
        {children}
      </div>
    </>
  );
}

/** `Task_1.nodes[3].data.binding` → `Task_1` (ids may contain dots, paths start at a collection). */
export function elementOfField(field: string): string {
  const m = /^(.*?)\.(?:nodes|edges|lanes|variables|participant)\b/.exec(field);
  return m ? m[1]! : field;
}
