/**
 * setTimeout with no upper bound. Node fires a timer above 2^31-1 ms (about 24.8 days) after 1 ms, and a
 * staff task may wait 60 days: such a timer is armed in chunks until the target time.
 */
const MAX_DELAY = 2_147_483_647;

export interface LongTimer {
  clear(): void;
}

export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  const target = Date.now() + Math.max(0, ms);
  let handle: NodeJS.Timeout;
  const arm = () => {
    const left = target - Date.now();
    handle = left > MAX_DELAY ? setTimeout(arm, MAX_DELAY) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(handle) };
}
