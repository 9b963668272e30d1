/**
 * English messages for `zod/mini`, the tree-shakable build of zod 4 the Lambdas use (same core, checks
 * and issues as the classic package, which is about 440 KiB of every bundle because its chained
 * methods defeat tree-shaking). Classic `zod` loads the English locale by itself; mini leaves it to
 * the caller, and without it every issue reads "Invalid input". Every module that parses with zod
 * imports this file for its effect: `import '#commons/zod';` next to `import * as z from 'zod/mini';`.
 * (Re-exporting the `z` namespace from here would make esbuild keep all of it, every locale included.)
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
