import { createServiceRegistry, type ServiceRegistry } from '../lint/service-registry.js';

/**
 * RPCs of the `sales` domain (`ameide.sales.v1`), as the examples use them. A stand-in until
 * the platform builds its registry from the shipped proto descriptor set.
 */
export const SALES_SERVICES = {
  'ameide.sales.v1.OrderService': [
    'CreateOrder',
    'AddOrderLine',
    'RemoveOrderLine',
    'ConfirmOrder',
    'CancelOrder',
    'MarkOrderFulfilled',
    'RecordPayment',
    'GetOrder',
    'ListOrders',
  ],
  'ameide.sales.v1.CustomerService': [
    'CreateCustomer',
    'GetCustomer',
    'ListCustomers',
    'CheckCredit',
  ],
} as const satisfies Record<string, readonly string[]>;

/** A {@link ServiceRegistry} that knows exactly {@link SALES_SERVICES}. */
export const salesServiceRegistry: ServiceRegistry = createServiceRegistry(SALES_SERVICES);
