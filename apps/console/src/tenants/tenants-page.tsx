import { timestampDate } from '@bufbuild/protobuf/wkt';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { DatabasePlacement, TenantTier, type Tenant } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';

const tierName = (t: TenantTier) => (t === TenantTier.ENTERPRISE ? 'enterprise' : 'smb');
const when = (ts: Tenant['createdAt']) => (ts ? timestampDate(ts).toLocaleString() : '');

/**
 * Platform administrators' view of tenants (TenantService): each tenant's lifecycle and
 * provisioning steps, creating one, suspending, resuming and deleting.
 */
export function TenantsPage({ client }: { client: AmeideClient }) {
  const [tenants, setTenants] = useState<Tenant[]>();
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({
    tenantId: '',
    displayName: '',
    tier: 'smb',
    database: 'shared',
  });

  const refresh = useCallback(() => {
    client.tenants
      .listTenants({})
      .then((r) => setTenants(r.tenants))
      .catch((err: unknown) => setError(describeError(err)));
  }, [client]);
  useEffect(refresh, [refresh]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
      refresh();
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const { tenant } = await client.tenants.createTenant({
        tenantId: form.tenantId.trim(),
        displayName: form.displayName.trim(),
        tier: form.tier === 'enterprise' ? TenantTier.ENTERPRISE : TenantTier.SMB,
        databasePlacement:
          form.database === 'dedicated' ? DatabasePlacement.DEDICATED : DatabasePlacement.SHARED,
      });
      if (tenant?.status === 'failed') setError(`Provisioning failed: ${tenant.failure}`);
      setOpen(tenant?.tenantId);
    });
  };

  return (
    <main className="list-page">
      <h1>Tenants</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form className="tenant-form" onSubmit={create} aria-label="New tenant">
        <label>
          Tenant id
          <input
            name="tenantId"
            value={form.tenantId}
            onChange={(e) => setForm({ ...form, tenantId: e.target.value })}
            required
            autoComplete="off"
          />
        </label>
        <label>
          Name
          <input
            name="displayName"
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })}
            autoComplete="off"
          />
        </label>
        <label>
          Tier
          <select
            name="tier"
            value={form.tier}
            onChange={(e) => setForm({ ...form, tier: e.target.value })}
          >
            <option value="smb">SMB (organisation in the shared realm)</option>
            <option value="enterprise">Enterprise (own realm and namespace)</option>
          </select>
        </label>
        <label>
          Database
          <select
            name="database"
            value={form.database}
            onChange={(e) => setForm({ ...form, database: e.target.value })}
          >
            <option value="shared">Shared (row level security)</option>
            <option value="dedicated">Dedicated</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Working…' : 'Create tenant'}
        </button>
      </form>
      {tenants?.length === 0 && <p>No tenants yet.</p>}
      <table className="tenants" aria-label="Tenants">
        <thead>
          <tr>
            <th>Tenant</th>
            <th>Status</th>
            <th>Tier</th>
            <th>Realm</th>
            <th>Namespace</th>
            <th>Database</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tenants?.map((t) => (
            <tr key={t.tenantId} data-tenant={t.tenantId}>
              <td>
                <button
                  type="button"
                  className="link"
                  aria-expanded={open === t.tenantId}
                  onClick={() => setOpen(open === t.tenantId ? undefined : t.tenantId)}
                >
                  {t.tenantId}
                </button>{' '}
                <span className="hint">{t.displayName}</span>
                {open === t.tenantId && (
                  <ol className="steps" aria-label={`Provisioning steps of ${t.tenantId}`}>
                    {t.steps.map((s) => (
                      <li key={s.name}>
                        ✓ {s.name}{' '}
                        <span className="hint">
                          {Object.entries(s.detail)
                            .map(([k, v]) => `${k}=${v}`)
                            .join(' ')}
                        </span>
                      </li>
                    ))}
                    {t.pendingSteps.map((s) => (
                      <li key={s}>… {s}</li>
                    ))}
                    {t.failure && <li className="error">{t.failure}</li>}
                  </ol>
                )}
              </td>
              <td data-testid="tenant-status">{t.status}</td>
              <td>{tierName(t.tier)}</td>
              <td>{t.realm || '-'}</td>
              <td>{t.temporalNamespace || '-'}</td>
              <td>{t.databaseName || 'shared'}</td>
              <td>{when(t.createdAt)}</td>
              <td>
                {(t.status === 'failed' || t.status === 'provisioning') && (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      void act(() =>
                        client.tenants.createTenant({
                          tenantId: t.tenantId,
                          displayName: t.displayName,
                          tier: t.tier,
                          databasePlacement: t.databasePlacement,
                        }),
                      )
                    }
                  >
                    Retry
                  </button>
                )}
                {t.status === 'active' && (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      void act(() => client.tenants.suspendTenant({ tenantId: t.tenantId }))
                    }
                  >
                    Suspend
                  </button>
                )}
                {t.status === 'suspended' && (
                  <>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        void act(() =>
                          client.tenants.suspendTenant({ tenantId: t.tenantId, resume: true }),
                        )
                      }
                    >
                      Resume
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      title={t.deletableAt ? `deletable from ${when(t.deletableAt)}` : undefined}
                      onClick={() =>
                        void act(() => client.tenants.deleteTenant({ tenantId: t.tenantId }))
                      }
                    >
                      Delete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
