// CSV (RFC 4180: commas, double quotes, "" inside quotes, CRLF or LF; a quoted field may span lines) into
// records, each with the line it starts on, so errors can name the line of the file.

export function parseCsv(text) {
  const records = [];
  let field = '';
  let record = [];
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let sawAny = false;
  const endField = () => { record.push(field); field = ''; };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push({ line: startLine, fields: record });
    record = [];
  };
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;   // a byte-order mark is not data
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    sawAny = true;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('line ' + startLine + ': a quoted field is not closed');
  if (sawAny) endRecord();
  return records;
}

export const USER_COLUMNS = ['id', 'role', 'brandId', 'creatorId', 'email'];

/**
 * Users from a CSV whose first record names the columns. Returns {users, lines, errors}: users[i] came from
 * lines[i]; errors lists what is wrong with the file itself ({line, detail}), in which case nothing is sent.
 */
export function usersFromCsv(text, max) {
  const errors = [];
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    return { users: [], lines: [], errors: [{ line: null, detail: e.message }] };
  }
  if (records.length === 0) return { users: [], lines: [], errors: [{ line: null, detail: 'the file is empty' }] };
  const header = records[0].fields.map((f) => f.trim());
  const byLower = Object.fromEntries(USER_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const columns = header.map((name) => byLower[name.toLowerCase()] || null);
  header.forEach((name, i) => {
    if (!columns[i]) errors.push({ line: records[0].line, detail: 'unknown column "' + name + '" (known: ' + USER_COLUMNS.join(', ') + ')' });
  });
  for (const required of ['id', 'role']) {
    if (!columns.includes(required)) errors.push({ line: records[0].line, detail: 'the header has no ' + required + ' column' });
  }
  const rows = records.slice(1);
  if (rows.length === 0) errors.push({ line: null, detail: 'the file has a header but no users' });
  if (rows.length > max) errors.push({ line: null, detail: 'the file holds ' + rows.length + ' users; one import takes at most ' + max });
  const users = [];
  const lines = [];
  for (const r of rows) {
    if (r.fields.length !== header.length) {
      errors.push({ line: r.line, detail: r.fields.length + ' fields where the header has ' + header.length });
      continue;
    }
    const user = {};
    r.fields.forEach((value, i) => {
      const v = value.trim();
      if (columns[i] && v !== '') user[columns[i]] = v;
    });
    users.push(user);
    lines.push(r.line);
  }
  return { users, lines, errors };
}
