// Writes queued offline that need the id an earlier queued write will be answered with: a receive
// on a blind receipt started offline. The later path carries a placeholder, {ref:NAME}; when the
// earlier write lands, its answer's id is kept under NAME and the outbox fills it in before sending.
// Kept in localStorage so that a reload between the two does not lose the link.
import { putNewest, readJson } from "./storage.js";

const KEY = "shipfloor.refs";
const MAX = 50;

const all = () => readJson(localStorage, KEY, {});

export const placeholder = (name) => `{ref:${name}}`;

export function idFor(name) {
  return name ? all()[name] ?? null : null;
}

// Called by the outbox for every write that landed: remember its id if it was given a name.
export function remember(name, answer) {
  if (!name || answer?.id == null) return;
  putNewest(localStorage, KEY, name, answer.id, MAX);
}

// The path with every placeholder whose write has landed replaced by its id.
export function resolvePath(path) {
  const refs = all();
  return path.replace(/\{ref:([\w-]+)\}/g, (whole, name) => (name in refs ? String(refs[name]) : whole));
}
