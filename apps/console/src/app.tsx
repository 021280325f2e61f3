import { useCallback, useEffect, useMemo, useState } from 'react';
import { createPlatformClient } from './api/platform-client.js';
import { SignInPage } from './auth/sign-in-page.js';
import { loadSession, saveSession, takeOidcToken, type Session } from './auth/session.js';
import { describeError } from './api/describe-error.js';
import { TenantsPage } from './tenants/tenants-page.js';
import { DefinitionListPage } from './artifacts/definition-list-page.js';
import { ModellerPage } from './modeller/modeller-page.js';
import { InstancesPage } from './runs/instances-page.js';
import { InstancePage } from './runs/instance-page.js';
import { TasksPage } from './runs/tasks-page.js';
import { AgentRunsPage } from './agents/runs-page.js';
import { AgentRunPage } from './agents/run-page.js';
import { ProposalsPage } from './agents/proposals-page.js';
import type { ProcessDefinition } from '@ameide/process-definition';

/** Routes: `#/` (definitions), `#/definitions/<artifact id>`, `#/new`. */
function useHashRoute(): [string, (to: string) => void] {
  const [hash, setHash] = useState(() => window.location.hash.slice(1) || '/');
  useEffect(() => {
    const onChange = () => setHash(window.location.hash.slice(1) || '/');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((to: string) => {
    window.location.hash = to;
  }, []);
  return [hash, go];
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  // A token an OIDC sign-in just handed back in the URL fragment: WhoAmI says who it is.
  const [oidcToken] = useState(() => takeOidcToken());
  const [oidcError, setOidcError] = useState<string>();
  const [route, go] = useHashRoute();
  // A definition imported from BPMN on the list page, opened unsaved in the modeller.
  const [pendingImport, setPendingImport] = useState<{
    definition: ProcessDefinition;
    message: string;
  }>();
  const client = useMemo(
    () => (session ? createPlatformClient(session.token) : undefined),
    [session],
  );

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setSession(s);
  }, []);
  const signOut = useCallback(() => {
    saveSession(undefined);
    setSession(undefined);
    setPendingImport(undefined);
    window.location.hash = '/';
  }, []);

  useEffect(() => {
    if (!oidcToken) return;
    createPlatformClient(oidcToken)
      .platform.whoAmI({})
      .then(({ context }) => {
        if (!context) throw new Error('the platform did not say who you are');
        signIn({
          token: oidcToken,
          tenantId: context.tenantId,
          userId: context.userId,
          groups: context.groups,
        });
      })
      .catch((err: unknown) => setOidcError(describeError(err)));
  }, [oidcToken, signIn]);

  if (!session || !client)
    return <SignInPage onSignedIn={signIn} {...(oidcError ? { initialError: oidcError } : {})} />;
  const platformAdmin =
    session.tenantId === 'platform' && session.groups.includes('platform-admin');

  const match = /^\/definitions\/([^/]+)$/.exec(route);
  const instance = /^\/instances\/([^/]+)$/.exec(route);
  const agentRun = /^\/agents\/runs\/([^/]+)$/.exec(route);
  let page;
  if (agentRun)
    page = (
      <AgentRunPage
        key={`${session.tenantId}/${agentRun[1]}`}
        client={client}
        runId={decodeURIComponent(agentRun[1]!)}
      />
    );
  else if (route === '/agents') page = <AgentRunsPage key={session.tenantId} client={client} />;
  else if (route === '/proposals') page = <ProposalsPage key={session.tenantId} client={client} />;
  else if (instance)
    page = (
      <InstancePage
        key={`${session.tenantId}/${instance[1]}`}
        client={client}
        instanceId={decodeURIComponent(instance[1]!)}
      />
    );
  else if (route === '/instances')
    page = <InstancesPage key={session.tenantId} client={client} go={go} />;
  else if (route === '/tasks') page = <TasksPage key={session.tenantId} client={client} />;
  else if (route === '/tenants' && platformAdmin) page = <TenantsPage client={client} />;
  else if (match)
    page = (
      <ModellerPage
        key={`${session.tenantId}/${match[1]}`}
        client={client}
        artifactId={decodeURIComponent(match[1]!)}
        go={go}
      />
    );
  else if (route === '/new')
    page = (
      <ModellerPage
        key={`${session.tenantId}/new`}
        client={client}
        initial={pendingImport?.definition}
        initialMessage={pendingImport?.message}
        go={go}
      />
    );
  else
    page = (
      <DefinitionListPage
        key={session.tenantId}
        client={client}
        go={go}
        onImported={(definition, message) => {
          setPendingImport({ definition, message });
          go('/new');
        }}
      />
    );

  return (
    <div className="app">
      <header className="app-header">
        <a href="#/" className="brand">
          Ameide
        </a>
        <nav aria-label="Main">
          <a href="#/">Process definitions</a>
          <a href="#/instances">Instances</a>
          <a href="#/tasks">Tasks</a>
          <a href="#/agents">Agents</a>
          <a href="#/proposals">Proposals</a>
          {platformAdmin && <a href="#/tenants">Tenants</a>}
        </nav>
        <div className="who" aria-label="Signed in as">
          <span className="tenant" title="Tenant" data-testid="tenant">
            tenant <strong>{session.tenantId}</strong>
          </span>
          <span>
            {session.userId}
            {session.groups.length > 0 && (
              <span className="hint"> ({session.groups.join(', ')})</span>
            )}
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      {page}
    </div>
  );
}
