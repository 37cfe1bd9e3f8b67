// Who is signed in on this device, kept in localStorage so a reload or a dead battery swap
// does not sign the worker out mid-shift.
const SESSION_KEY = "shipfloor.session";
const DEVICE_KEY = "shipfloor.device";
// The server's signed "known device" proof from the last sign-in here: with it, other devices' wrong
// PINs on the same Wi-Fi cannot lock this handheld out (server/auth/throttle.py). Kept past sign-out.
const PROOF_KEY = "shipfloor.deviceProof";

// crypto.randomUUID exists only in secure contexts; plain-HTTP LAN tests still need ids.
export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// One id per browser install: the server binds tokens to it and logs it with every scan.
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = uuid();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export function deviceProof() {
  return localStorage.getItem(PROOF_KEY) || undefined;
}

export function saveDeviceProof(proof) {
  if (proof) localStorage.setItem(PROOF_KEY, proof);
}

// The stored session, or null when there is none or it has expired (tokens end with the shift).
export function getSession() {
  let s;
  try {
    s = JSON.parse(localStorage.getItem(SESSION_KEY));
  } catch {
    s = null;
  }
  if (!s?.token) return null;
  if (s.expires_at && Date.parse(s.expires_at) <= Date.now()) {
    clearSession();
    return null;
  }
  return s;
}

export function saveSession({ token, expires_at, user }) {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ token, expires_at, user }));
}

export function updateUser(user) {
  const s = getSession();
  if (s) saveSession({ ...s, user });
}

export function clearSession() {
  localStorage.removeItem(SESSION_KEY);
}
