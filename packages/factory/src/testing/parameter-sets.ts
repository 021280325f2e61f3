// Parameter sets every template is rendered with in the tests: all parameters, unicode in the
// free-text ones, optional ones left out, and a tenant-owned (custom) primitive.
type Sets = Record<string, Record<string, Record<string, unknown>>>;

const unicodeTitle = 'Facturación — 請求書 “Ünïcode” ✓';
const unicodeDescription =
  'Rechnungen & Gutschriften für die Kundschaft: ÀÉÎÕÜ, emoji 🧾, quotes "x" \'y\'.';

export const parameterSets: Sets = {
  'domain-primitive': {
    'all parameters': {
      name: 'invoicing',
      title: 'Invoicing',
      description: 'Invoices for confirmed orders.',
      entity: 'Invoice',
      owner: 'group:default/billing',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'unicode title and description': {
      name: 'facturas',
      title: unicodeTitle,
      description: unicodeDescription,
      entity: 'Factura',
      owner: 'billing',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'optional parameters left out': {
      name: 'loyalty',
      owner: 'group:marketing',
      system: 'lead-to-order',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'tenant-owned': {
      name: 'warranty',
      entity: 'Claim',
      owner: 'group:acme/engineering',
      system: 'order-to-cash',
      ownership: 'tenant',
      tenant: 'acme',
      sku: 'Shared',
      namespace: 'tenant-acme-prod-cust',
    },
  },
  'process-primitive': {
    'all parameters': {
      name: 'invoice-approval',
      title: 'Invoice approval',
      description: 'Approves invoices above the limit.',
      reviewerGroup: 'finance',
      owner: 'group:default/billing',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'unicode title and description': {
      name: 'aprobacion',
      title: unicodeTitle,
      description: unicodeDescription,
      owner: 'billing',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'optional parameters left out': {
      name: 'lead-review',
      owner: 'group:marketing',
      system: 'lead-to-order',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'tenant-owned': {
      name: 'warranty-claim',
      owner: 'group:acme/engineering',
      system: 'order-to-cash',
      ownership: 'tenant',
      tenant: 'acme',
      sku: 'Namespace',
      namespace: 'tenant-acme-prod-cust',
    },
  },
  'uisurface-primitive': {
    'all parameters': {
      name: 'order-portal',
      title: 'Order portal',
      description: 'Customers follow their orders.',
      hostname: 'orders.ameide.example',
      owner: 'group:default/sales',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'unicode title and description': {
      name: 'portal-pedidos',
      title: unicodeTitle,
      description: unicodeDescription,
      hostname: 'pedidos.ameide.example',
      owner: 'sales',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'optional parameters left out': {
      name: 'leads',
      hostname: 'leads.ameide.example',
      owner: 'group:marketing',
      system: 'lead-to-order',
      ownership: 'platform',
      namespace: 'ameide-apps',
    },
    'tenant-owned': {
      name: 'acme-orders',
      hostname: 'orders.acme.example',
      owner: 'group:acme/engineering',
      system: 'order-to-cash',
      ownership: 'tenant',
      tenant: 'acme',
      sku: 'Private',
      namespace: 'tenant-acme-staging-cust',
    },
  },
};
