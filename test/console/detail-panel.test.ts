import { describe, expect, it } from 'vitest';
import { keptWhileUnchanged, type DetailPage } from '../../console/src/console/views/detail-panel.ts';

describe('a panel kept across the detail page’s redraws', () => {
  it('is built once while its key stays the same, and anew when the key changes', () => {
    let builds = 0;
    const panel = keptWhileUnchanged(
      (page) => (page as unknown as { key: string }).key,
      () => {
        builds++;
        return { built: builds } as unknown as HTMLElement;
      },
    );
    const page = (key: string) => ({ key }) as unknown as DetailPage;
    const first = panel(page('a'));
    expect(panel(page('a'))).toBe(first);
    expect(builds).toBe(1);
    const second = panel(page('b'));
    expect(second).not.toBe(first);
    expect(builds).toBe(2);
  });

  it('keeps "nothing to show" too, without building again', () => {
    let builds = 0;
    const panel = keptWhileUnchanged(() => 'same', () => {
      builds++;
      return null;
    });
    expect(panel({} as DetailPage)).toBeNull();
    expect(panel({} as DetailPage)).toBeNull();
    expect(builds).toBe(1);
  });
});
