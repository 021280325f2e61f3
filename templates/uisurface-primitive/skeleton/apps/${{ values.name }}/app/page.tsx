'use client';
// The starter page: the signed-in tenant's orders, read through the SDK (OrderService.ListOrders).
// The tenant comes from the token: the page never sends one.
import { useEffect, useState } from 'react';
import { isAmeideError } from '@ameide/sdk/web';
import { loadSession, platformClient, type Session } from '../lib/platform';

interface Row {
  readonly orderId: string;
  readonly status: string;
  readonly total: string;
}

export default function OrdersPage() {
  const [session, setSession] = useState<Session | undefined>();
  const [rows, setRows] = useState<Row[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const s = loadSession();
    setSession(s);
    if (!s) return;
    platformClient(s)
      .orders.listOrders({ pageSize: 50 })
      .then((res) =>
        setRows(
          res.orders.map((o) => ({
            orderId: o.orderId,
            status: String(o.status),
            total: o.total ? `${o.total.amountMinor} ${o.total.currency}` : '',
          })),
        ),
      )
      .catch((err: unknown) => setError(isAmeideError(err) ? `${err.code}: ${err.message}` : String(err)));
  }, []);

  return (
    <main>
      <h1>{${{ values.title | dump }}}</h1>
      {!session && <p role="status">Sign in through the console first.</p>}
      {session && <p data-testid="tenant">Orders of {session.tenantId}</p>}
      {error && <p role="alert">{error}</p>}
      {rows && rows.length === 0 && <p>No orders yet.</p>}
      {rows && rows.length > 0 && (
        <table>
          <thead>
            <tr><th>Order</th><th>Status</th><th>Total</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.orderId} data-testid="order"><td>{r.orderId}</td><td>{r.status}</td><td>{r.total}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
