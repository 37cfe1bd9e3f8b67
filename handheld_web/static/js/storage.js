// Small JSON values kept in Web Storage (local or session). A full or broken store is never an error:
// what is kept here only makes the device more useful offline; the server stays the authority.
export function readJson(storage, key, fallback) {
  try {
    return JSON.parse(storage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full: carry on without it.
  }
}

// Put name → value in a map kept under key, keeping only the newest `max` names.
export function putNewest(storage, key, name, value, max) {
  const all = readJson(storage, key, {});
  delete all[name];
  all[name] = value;
  const names = Object.keys(all);
  for (const old of names.slice(0, Math.max(0, names.length - max))) delete all[old];
  writeJson(storage, key, all);
}
