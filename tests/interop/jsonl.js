"use strict";
// A child process speaking JSON lines (server.js or siocat, tests/interop/SIOCAT.md): wait(pred) resolves with the
// first line matching pred (seen before or to come), send(cmd) writes a command and resolves with its result line.
// fail(msg) is called on a timeout; say(label, text) prints error lines.
const { spawn } = require("node:child_process");
const readline = require("node:readline");

function jsonlMember(children, fail, say, cmd, args, env, label) {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env });
  children.add(child);
  child.on("exit", () => children.delete(child));
  child.stdin.on("error", () => {});
  const m = { child, lines: [], waiters: [], stderr: "", nextId: 1 };
  child.stderr.on("data", (c) => { m.stderr += c; });
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    let ev;
    try { ev = JSON.parse(line); } catch { return; }
    if (ev.ev === "error") say(label, `error: ${ev.where}: ${ev.message}`);
    m.lines.push(ev);
    for (const w of [...m.waiters]) if (w.pred(ev)) { m.waiters.splice(m.waiters.indexOf(w), 1); w.resolve(ev); }
  });
  m.wait = (pred, what, ms = 10000) => {
    const seen = m.lines.find(pred);
    if (seen) { m.lines.splice(m.lines.indexOf(seen), 1); return Promise.resolve(seen); }
    return new Promise((resolve) => {
      const t = setTimeout(() => fail(`${label}: no ${what} within ${ms} ms\n${m.stderr.slice(-2000)}`), ms);
      m.waiters.push({ pred, resolve: (ev) => { clearTimeout(t); m.lines.splice(m.lines.indexOf(ev), 1); resolve(ev); } });
    });
  };
  m.send = (c) => {
    const id = `${label}.${m.nextId++}`;
    child.stdin.write(JSON.stringify({ id, ...c }) + "\n");
    return m.wait((ev) => ev.ev === "result" && ev.id === id, `result of ${c.cmd}`);
  };
  return m;
}

module.exports = { jsonlMember };
