// A small JSON reader for guests: enough for the examples and tests (objects, arrays, strings
// with the common escapes, numbers, true/false/null). Real extensions may use any library.

export const NULL: i32 = 0;
export const BOOL: i32 = 1;
export const NUM: i32 = 2;
export const STR: i32 = 3;
export const ARR: i32 = 4;
export const OBJ: i32 = 5;

/** One JSON value; `kind` says which fields mean something. */
export class Json {
  kind: i32 = NULL;
  bool: bool = false;
  num: f64 = 0;
  str: string = '';
  items: Json[] = [];
  keys: string[] = [];

  /** The member `key` of an object, or a null value. */
  get(key: string): Json {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) return this.items[i];
    }
    return new Json();
  }
}

class Parser {
  pos: i32 = 0;
  constructor(public text: string) {}

  ws(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 32 && c != 9 && c != 10 && c != 13) break;
      this.pos++;
    }
  }

  value(): Json {
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    const v = new Json();
    if (c == 123) {
      v.kind = OBJ;
      this.pos++;
      this.ws();
      if (this.text.charCodeAt(this.pos) == 125) {
        this.pos++;
        return v;
      }
      while (true) {
        this.ws();
        v.keys.push(this.string());
        this.ws();
        this.pos++; // ':'
        v.items.push(this.value());
        this.ws();
        const d = this.text.charCodeAt(this.pos++);
        if (d != 44) break;
      }
    } else if (c == 91) {
      v.kind = ARR;
      this.pos++;
      this.ws();
      if (this.text.charCodeAt(this.pos) == 93) {
        this.pos++;
        return v;
      }
      while (true) {
        v.items.push(this.value());
        this.ws();
        const d = this.text.charCodeAt(this.pos++);
        if (d != 44) break;
      }
    } else if (c == 34) {
      v.kind = STR;
      v.str = this.string();
    } else if (c == 116) {
      v.kind = BOOL;
      v.bool = true;
      this.pos += 4;
    } else if (c == 102) {
      v.kind = BOOL;
      this.pos += 5;
    } else if (c == 110) {
      this.pos += 4;
    } else {
      v.kind = NUM;
      const start = this.pos;
      while (this.pos < this.text.length) {
        const d = this.text.charCodeAt(this.pos);
        if (!((d >= 48 && d <= 57) || d == 45 || d == 43 || d == 46 || d == 101 || d == 69)) break;
        this.pos++;
      }
      v.num = parseFloat(this.text.substring(start, this.pos));
    }
    return v;
  }

  string(): string {
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 34) break;
      if (c == 92) {
        out += this.text.substring(start, this.pos);
        const e = this.text.charCodeAt(this.pos + 1);
        if (e == 110) out += '\n';
        else if (e == 116) out += '\t';
        else if (e == 114) out += '\r';
        else if (e == 117) {
          out += String.fromCharCode(
            i32(parseInt(this.text.substring(this.pos + 2, this.pos + 6), 16)),
          );
          this.pos += 4;
        } else out += String.fromCharCode(e);
        this.pos += 2;
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    out += this.text.substring(start, this.pos);
    this.pos++; // closing quote
    return out;
  }
}

/** Parses JSON text (the host only ever passes valid JSON). */
export function parse(text: string): Json {
  return new Parser(text).value();
}

/** `s` as a JSON string literal. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34) out += '\\"';
    else if (c == 92) out += '\\\\';
    else if (c < 32) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/** `n` as a JSON number (integers without a fraction). */
export function num(n: f64): string {
  if (n == Math.floor(n) && Math.abs(n) < 1e15) return i64(n).toString();
  return n.toString();
}
