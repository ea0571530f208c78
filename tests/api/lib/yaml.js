// yaml.js — a reader for the YAML subset docs/openapi.yaml is written in (no dependency):
// block mappings and sequences by indentation, `- key: value` items, plain, 'single' and "double"
// quoted scalars, flow sequences `[a, 'b']`, and block scalars `|`, `|-`, `>`, `>-`.
// Anchors, aliases, tags, flow mappings and multi-line quoted scalars are not supported and throw.

function fail(n, msg) {
  throw new Error(`yaml line ${n + 1}: ${msg}`);
}

/** Split "key: value" at the first ": " (or a trailing ":") outside quotes; null if not a key. */
function splitKey(text) {
  let q = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === q) q = null;
      continue;
    }
    if ((c === "'" || c === '"') && i === 0) q = c;
    else if (c === ':' && (i === text.length - 1 || text[i + 1] === ' ')) {
      return [unquoteKey(text.slice(0, i).trim()), text.slice(i + 1).trim()];
    } else if (c === ' ' && text[i + 1] === '#') return null;
  }
  return null;
}

function unquoteKey(k) {
  if (k.startsWith("'") && k.endsWith("'")) return k.slice(1, -1).replaceAll("''", "'");
  if (k.startsWith('"') && k.endsWith('"')) return JSON.parse(k);
  return k;
}

function stripComment(v) {
  // " #" starts a comment outside quotes.
  let q = null;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (q) {
      if (c === q) q = null;
    } else if (c === "'" || c === '"') q = c;
    else if (c === '#' && (i === 0 || v[i - 1] === ' ')) return v.slice(0, i).trimEnd();
  }
  return v;
}

function scalar(v, n) {
  v = stripComment(v.trim());
  if (v.startsWith("'")) {
    if (!v.endsWith("'") || v.length < 2) fail(n, 'unterminated single-quoted scalar');
    return v.slice(1, -1).replaceAll("''", "'");
  }
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) fail(n, 'unterminated double-quoted scalar');
    return JSON.parse(v);
  }
  if (v.startsWith('[')) {
    if (!v.endsWith(']')) fail(n, 'unterminated flow sequence');
    const inner = v.slice(1, -1).trim();
    if (!inner) return [];
    const parts = [];
    let q = null, start = 0;
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (q) {
        if (c === q) q = null;
      } else if (c === "'" || c === '"') q = c;
      else if (c === '[' || c === '{') fail(n, 'nested flow collections are not supported');
      else if (c === ',') {
        parts.push(inner.slice(start, i));
        start = i + 1;
      }
    }
    parts.push(inner.slice(start));
    return parts.map((p) => scalar(p, n));
  }
  if (v.startsWith('{')) fail(n, 'flow mappings are not supported');
  if (v.startsWith('&') || v.startsWith('*') || v.startsWith('!')) fail(n, 'anchors, aliases and tags are not supported');
  if (v === '' || v === '~' || v === 'null') return null;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^[-+]?\d+$/.test(v)) return Number(v);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return Number(v);
  return v;
}

/** Parse YAML text (the subset above) into plain JS values. */
export function parseYaml(text) {
  const raw = text.split('\n');
  const lines = []; // structural lines: {n, indent, text}
  raw.forEach((l, n) => {
    if (/^\s*(#.*)?$/.test(l)) return;
    if (/^\t/.test(l)) fail(n, 'tab indentation');
    const indent = l.length - l.trimStart().length;
    lines.push({ n, indent, text: l.trim() });
  });
  let i = 0;

  function blockScalar(style, ownIndent, atLine) {
    // Raw lines after atLine that are blank or indented deeper than ownIndent.
    const body = [];
    let r = atLine + 1;
    for (; r < raw.length; r++) {
      const l = raw[r];
      if (/^\s*$/.test(l)) {
        body.push('');
        continue;
      }
      if (l.length - l.trimStart().length <= ownIndent) break;
      body.push(l);
    }
    while (body.length && body[body.length - 1] === '') body.pop();
    // Skip the structural lines consumed.
    while (i < lines.length && lines[i].n < r) i++;
    const ind = Math.min(...body.filter((l) => l).map((l) => l.length - l.trimStart().length));
    const content = body.map((l) => l.slice(ind));
    const chomp = style.endsWith('-') ? '' : '\n';
    if (style[0] === '|') return content.join('\n') + chomp;
    // Folded: single newlines become spaces, blank lines become newlines.
    let out = '';
    content.forEach((l, k) => {
      if (k === 0) out = l;
      else if (l === '') out += '\n';
      else out += out.endsWith('\n') || content[k - 1] === '' ? l : ` ${l}`;
    });
    return out + chomp;
  }

  function value(rest, ownIndent, line) {
    if (/^[|>][-+]?$/.test(rest)) return blockScalar(rest, ownIndent, line.n);
    if (rest === '') {
      if (i < lines.length && lines[i].indent > ownIndent) return block(lines[i].indent);
      return null;
    }
    return scalar(rest, line.n);
  }

  function block(indent) {
    const first = lines[i];
    if (first.text === '-' || first.text.startsWith('- ')) return sequence(indent);
    return mapping(indent);
  }

  function mapping(indent) {
    const obj = {};
    while (i < lines.length && lines[i].indent === indent) {
      const line = lines[i];
      if (line.text === '-' || line.text.startsWith('- ')) fail(line.n, 'sequence item where a key was expected');
      const kv = splitKey(line.text);
      if (!kv) fail(line.n, `expected "key: value", got ${line.text}`);
      const [k, rest] = kv;
      if (Object.hasOwn(obj, k)) fail(line.n, `duplicate key ${k}`);
      i++;
      obj[k] = value(rest, indent, line);
    }
    if (i < lines.length && lines[i].indent > indent) fail(lines[i].n, 'unexpected indentation');
    return obj;
  }

  function sequence(indent) {
    const arr = [];
    while (i < lines.length && lines[i].indent === indent && (lines[i].text === '-' || lines[i].text.startsWith('- '))) {
      const line = lines[i];
      const rest = line.text.slice(1).trim();
      if (rest === '') {
        i++;
        arr.push(i < lines.length && lines[i].indent > indent ? block(lines[i].indent) : null);
      } else if (splitKey(rest) && !/^['"[]/.test(rest)) {
        // "- key: value": a mapping whose keys sit two columns right of the dash.
        lines[i] = { n: line.n, indent: indent + 2, text: rest };
        arr.push(mapping(indent + 2));
      } else {
        i++;
        arr.push(value(rest, indent, line));
      }
    }
    return arr;
  }

  if (!lines.length) return null;
  const doc = block(lines[0].indent);
  if (i < lines.length) fail(lines[i].n, 'trailing content');
  return doc;
}
