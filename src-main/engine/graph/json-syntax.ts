// Where a JSON text first breaks the grammar, and why, in words. JSON.parse's messages differ
// between engines and often omit the position; this small scanner (run only after JSON.parse
// has failed) finds it so the error can name the line and column.

export interface JsonSyntaxError {
  /** 0-based character offset of the error. */
  offset: number;
  /** 1-based line and column (in characters) of the offset. */
  line: number;
  column: number;
  reason: string;
}

class Fail extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The first syntax error of a JSON text, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return null;
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    return { offset: e.offset, ...lineAndColumn(text, e.offset), reason: e.reason };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const MAX_DEPTH = 512;

class Scanner {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.space();
    if (this.pos >= this.text.length) throw new Fail(this.pos, 'the file holds no JSON value');
    this.value();
    this.space();
    if (this.pos < this.text.length) {
      throw new Fail(this.pos, `unexpected ${this.describe()} after the end of the JSON value`);
    }
  }

  private describe(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    const ch = this.text[this.pos];
    if (ch === '"') return 'a string';
    if (ch === '-' || (ch >= '0' && ch <= '9')) return 'a number';
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 40));
    if (word) return `"${word[0]}"`;
    if (ch === '\n' || ch === '\r') return 'a line break';
    return `"${ch}"`;
  }

  private space(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  private expect(ch: string, what: string): void {
    this.space();
    if (this.text[this.pos] !== ch)
      throw new Fail(this.pos, `expected ${what} but found ${this.describe()}`);
    this.pos++;
  }

  private value(): void {
    this.space();
    if (this.pos >= this.text.length)
      throw new Fail(this.pos, 'the file ends where a value should be');
    const ch = this.text[this.pos];
    if (ch === '{') return this.nested(() => this.object());
    if (ch === '[') return this.nested(() => this.array());
    if (ch === '"') return this.string();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    if (ch === "'") throw new Fail(this.pos, 'strings must be in double quotes');
    throw new Fail(this.pos, `unexpected ${this.describe()} where a value should be`);
  }

  private nested(body: () => void): void {
    if (++this.depth > MAX_DEPTH) throw new Fail(this.pos, 'nested too deeply');
    body();
    this.depth--;
  }

  private object(): void {
    this.pos++; // {
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') {
        const trailing = this.text[this.pos] === '}';
        throw new Fail(
          this.pos,
          trailing
            ? 'a comma before "}" is not allowed'
            : `expected a property name in double quotes but found ${this.describe()}`,
        );
      }
      this.string();
      this.expect(':', '":" after the property name');
      this.value();
      this.space();
      const ch = this.text[this.pos];
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === '}') {
        this.pos++;
        return;
      }
      throw new Fail(this.pos, `expected "," or "}" but found ${this.describe()}`);
    }
  }

  private array(): void {
    this.pos++; // [
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] === ']')
        throw new Fail(this.pos, 'a comma before "]" is not allowed');
      this.value();
      this.space();
      const ch = this.text[this.pos];
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === ']') {
        this.pos++;
        return;
      }
      throw new Fail(this.pos, `expected "," or "]" but found ${this.describe()}`);
    }
  }

  private string(): void {
    const start = this.pos;
    this.pos++; // "
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === '"') {
        this.pos++;
        return;
      }
      if (ch === '\\') {
        const esc = this.text[this.pos + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            throw new Fail(this.pos, 'a \\u escape needs four hexadecimal digits');
          }
          this.pos += 6;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) {
          throw new Fail(this.pos, `invalid escape "\\${esc ?? ''}" in a string`);
        }
        this.pos += 2;
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) {
        throw new Fail(
          this.pos,
          ch === '\n'
            ? 'a string is not closed before the end of the line'
            : 'a control character inside a string',
        );
      }
      this.pos++;
    }
    throw new Fail(start, 'a string is not closed');
  }

  private number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      this.text.slice(this.pos, this.pos + 400),
    );
    if (!match || match[0] === '-') throw new Fail(this.pos, 'a malformed number');
    this.pos += match[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9.eE+\-a-zA-Z]/.test(next)) {
      throw new Fail(this.pos, 'a malformed number');
    }
  }
}

// ---- where a value is ----------------------------------------------------------------------------

/**
 * The line and column where the value at `path` (object keys and list indexes) starts in a
 * valid JSON text; for a path that goes further than the text, where its deepest existing
 * part starts. Lets a schema issue name its place in the file.
 */
export function locateJsonPath(
  text: string,
  path: readonly (string | number)[],
): { line: number; column: number } {
  let pos = 0;
  const space = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const skipString = (): string => {
    const start = pos;
    pos++; // the opening quote
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const skipValue = (): void => {
    space();
    const ch = text[pos];
    if (ch === '"') return void skipString();
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      pos++;
      space();
      while (pos < text.length && text[pos] !== close) {
        if (ch === '{') {
          skipString();
          space();
          pos++; // the colon
        }
        skipValue();
        space();
        if (text[pos] === ',') pos++;
        space();
      }
      pos++;
      return;
    }
    while (pos < text.length && !',]} \t\n\r'.includes(text[pos])) pos++;
  };
  /** Moves to the start of the child `key` of the value at pos; false when there is none. */
  const enter = (key: string | number): boolean => {
    space();
    const ch = text[pos];
    if (ch !== '{' && ch !== '[') return false;
    const start = pos;
    pos++;
    space();
    const close = ch === '{' ? '}' : ']';
    for (let index = 0; pos < text.length && text[pos] !== close; index++) {
      let matches = index === key;
      if (ch === '{') {
        matches = skipString() === key;
        space();
        pos++; // the colon
      }
      space();
      if (matches) return true;
      skipValue();
      space();
      if (text[pos] === ',') pos++;
      space();
    }
    pos = start;
    return false;
  };
  const body = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  pos = body;
  for (const key of path) if (!enter(key)) break;
  space();
  return lineAndColumn(text, pos);
}
