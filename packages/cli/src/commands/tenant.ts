import { Command, Option } from 'commander';
import {
  DatabasePlacement,
  GetTenantResponseSchema,
  ListTenantsResponseSchema,
  TenantSchema,
  TenantTier,
  type Tenant,
} from '@ameide/proto';
import { create } from '@bufbuild/protobuf';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { formatTime, printJson, printTable } from '../config/output.js';

const jsonOption = () => new Option('--json', 'print the result as JSON');
const tierName = (t: TenantTier) =>
  t === TenantTier.SMB ? 'smb' : t === TenantTier.ENTERPRISE ? 'enterprise' : '-';
const placementName = (p: DatabasePlacement) =>
  p === DatabasePlacement.DEDICATED ? 'dedicated' : 'shared';

function printTenant(t: Tenant): void {
  process.stdout.write(
    `${t.tenantId} (${t.displayName}): ${t.status}, ${tierName(t.tier)}, ${placementName(t.databasePlacement)} database\n`,
  );
  if (t.failure) process.stdout.write(`  failed: ${t.failure}\n`);
  const rows: [string, string][] = [
    ['issuer', t.issuer || '-'],
    ['realm', t.realm || '-'],
    ['organization', t.organizationId || '-'],
    ['temporal namespace', t.temporalNamespace || '-'],
    ['database', t.databaseName || (t.steps.some((s) => s.name === 'database') ? 'shared' : '-')],
    ['created', formatTime(t.createdAt)],
  ];
  if (t.suspendedAt) rows.push(['suspended', formatTime(t.suspendedAt)]);
  if (t.deletableAt) rows.push(['deletable from', formatTime(t.deletableAt)]);
  if (t.deletedAt) rows.push(['deleted', formatTime(t.deletedAt)]);
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(20)}${v}\n`);
  if (t.steps.length > 0 || t.pendingSteps.length > 0) {
    process.stdout.write('  steps:\n');
    for (const s of t.steps)
      process.stdout.write(
        `    done     ${s.name.padEnd(28)}${Object.entries(s.detail)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}\n`,
      );
    for (const s of t.pendingSteps) process.stdout.write(`    pending  ${s}\n`);
  }
}

const ADMIN_EXAMPLE =
  '\nTenantService is for platform administrators: sign in as one first, e.g.\n' +
  '  npx ameide login --dev --tenant platform --user ops --groups platform-admin';

/** `ameide tenant create|get|list|suspend|resume|delete`: tenant lifecycle, through TenantService. */
export function tenantCommand(): Command {
  const tenant = new Command('tenant').description(
    'tenants: provision (identity realm or organisation, Temporal namespace, database), suspend, delete (platform administrators)',
  );
  tenant.addHelpText('after', ADMIN_EXAMPLE);

  withPlatformOptions(
    tenant
      .command('create')
      .description(
        'create a tenant and provision it step by step; run it again to resume a failed or interrupted run',
      )
      .argument('<tenant-id>', 'letters, digits, ".", "_", "-" (1-63 characters)')
      .option('--name <display-name>', 'display name (default: the id)')
      .addOption(
        new Option(
          '--tier <tier>',
          'smb: an organisation of the shared realm; enterprise: a realm and namespace of its own',
        )
          .choices(['smb', 'enterprise'])
          .default('smb'),
      )
      .addOption(
        new Option('--database <placement>', 'shared (row level security) or dedicated')
          .choices(['shared', 'dedicated'])
          .default('shared'),
      )
      .addOption(jsonOption())
      .addHelpText(
        'after',
        '\nExample:\n  npx ameide tenant create acme --name "Acme Ltd" --tier enterprise --database dedicated',
      ),
  ).action(
    async (
      tenantId: string,
      opts: { name?: string; tier: string; database: string; json?: boolean },
      cmd: Command,
    ) => {
      process.stderr.write(`provisioning tenant ${tenantId} (${opts.tier})...\n`);
      const { tenant: t } = await (
        await platformClient(cmd)
      ).tenants.createTenant({
        tenantId,
        displayName: opts.name ?? '',
        tier: opts.tier === 'enterprise' ? TenantTier.ENTERPRISE : TenantTier.SMB,
        databasePlacement:
          opts.database === 'dedicated' ? DatabasePlacement.DEDICATED : DatabasePlacement.SHARED,
      });
      if (opts.json) return printJson(TenantSchema, t ?? create(TenantSchema));
      printTenant(t!);
      if (t!.status === 'failed') {
        process.stderr.write(
          `run \`ameide tenant create ${tenantId}\` again to retry from ${t!.pendingSteps[0] ?? 'the failed step'}\n`,
        );
        process.exitCode = 1;
      }
    },
  );

  withPlatformOptions(
    tenant.command('list').description('every tenant with its status').addOption(jsonOption()),
  ).action(async (opts: { json?: boolean }, cmd: Command) => {
    const res = await (await platformClient(cmd)).tenants.listTenants({});
    if (opts.json) return printJson(ListTenantsResponseSchema, res);
    printTable(
      ['TENANT', 'STATUS', 'TIER', 'DATABASE', 'REALM', 'NAMESPACE', 'CREATED'],
      res.tenants.map((t) => [
        t.tenantId,
        t.status,
        tierName(t.tier),
        t.databaseName || placementName(t.databasePlacement),
        t.realm || '-',
        t.temporalNamespace || '-',
        formatTime(t.createdAt),
      ]),
    );
  });

  withPlatformOptions(
    tenant
      .command('get')
      .description('one tenant: where it lives and its provisioning steps')
      .argument('<tenant-id>')
      .addOption(jsonOption()),
  ).action(async (tenantId: string, opts: { json?: boolean }, cmd: Command) => {
    const res = await (await platformClient(cmd)).tenants.getTenant({ tenantId });
    if (opts.json) return printJson(GetTenantResponseSchema, res);
    printTenant(res.tenant!);
  });

  for (const [verb, resume, description] of [
    ['suspend', false, 'refuse every call of the tenant and disable its sign-in'],
    ['resume', true, 'make a suspended tenant active again'],
  ] as const) {
    withPlatformOptions(
      tenant.command(verb).description(description).argument('<tenant-id>').addOption(jsonOption()),
    ).action(async (tenantId: string, opts: { json?: boolean }, cmd: Command) => {
      const { tenant: t } = await (
        await platformClient(cmd)
      ).tenants.suspendTenant({
        tenantId,
        resume,
      });
      if (opts.json) return printJson(TenantSchema, t!);
      printTenant(t!);
    });
  }

  withPlatformOptions(
    tenant
      .command('delete')
      .description(
        'delete a tenant suspended for longer than the retention period: its realm or organisation, namespace, database and rows',
      )
      .argument('<tenant-id>')
      .addOption(jsonOption()),
  ).action(async (tenantId: string, opts: { json?: boolean }, cmd: Command) => {
    const { tenant: t } = await (await platformClient(cmd)).tenants.deleteTenant({ tenantId });
    if (opts.json) return printJson(TenantSchema, t!);
    printTenant(t!);
    if (t!.status !== 'deleted') process.exitCode = 1;
  });
  return tenant;
}
