// Example extension: a pricing rule. Input {"lines":[{"sku","qty","unitPrice"}]}; output each
// line with its adjusted unit price (10% off from 10 units, 20% off from 100) and line total,
// plus the order total, all rounded to cents. Build: ameide extension build pricing.ts
import { allocBytes, readInput, writeOutput } from './lib/abi';
import { num, parse, quote } from './lib/json';

export function alloc(len: i32): usize {
  return allocBytes(len);
}

function cents(x: f64): f64 {
  return Math.round(x * 100) / 100;
}

export function run(ptr: usize, len: i32): u64 {
  const lines = parse(readInput(ptr, len)).get('lines').items;
  let out = '{"lines":[';
  let total: f64 = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const qty = line.get('qty').num;
    const unitPrice = line.get('unitPrice').num;
    const discount: f64 = qty >= 100 ? 0.2 : qty >= 10 ? 0.1 : 0;
    const adjusted = cents(unitPrice * (1 - discount));
    const lineTotal = cents(adjusted * qty);
    total += lineTotal;
    if (i > 0) out += ',';
    out +=
      '{"sku":' +
      quote(line.get('sku').str) +
      ',"qty":' +
      num(qty) +
      ',"unitPrice":' +
      num(unitPrice) +
      ',"adjustedUnitPrice":' +
      num(adjusted) +
      ',"lineTotal":' +
      num(lineTotal) +
      '}';
  }
  out += '],"total":' + num(cents(total)) + '}';
  return writeOutput(out);
}
