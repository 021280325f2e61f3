// Example tenant extension for the sales `sales.order-line-pricing` extension point: a volume
// discount. Input {"orderId","sku","quantity","unitPrice":{"currency","amountMinor"}} (amounts
// in minor units, as strings); output {"unitPriceMinor": "<integer>"}: 5% off from 10 units,
// 10% off from 100. SKUs starting with "NET-" are net prices and never discounted. The sales
// domain refuses any answer above the requested price or more than 50% below it.
//
// Build: ameide extension build examples/extensions/volume-discount/volume-discount.ts
import {
  allocBytes,
  readInput,
  writeOutput,
} from '../../../packages/extensions-runtime/guests/lib/abi';
import { parse, quote } from '../../../packages/extensions-runtime/guests/lib/json';

export function alloc(len: i32): usize {
  return allocBytes(len);
}

export function price(ptr: usize, len: i32): u64 {
  const line = parse(readInput(ptr, len));
  const quantity = line.get('quantity').num;
  const requested = I64.parseInt(line.get('unitPrice').get('amountMinor').str);
  let percent: i64 = 0;
  if (!line.get('sku').str.startsWith('NET-')) {
    percent = quantity >= 100 ? 10 : quantity >= 10 ? 5 : 0;
  }
  // Round the discounted price up to a whole minor unit (never below the domain's floor).
  const priced = (requested * (100 - percent) + 99) / 100;
  return writeOutput('{"unitPriceMinor":' + quote(priced.toString()) + '}');
}
