import type { GroupTranslators } from './types.js';

export const SCRIPTING_TRANSLATORS = {} as const satisfies GroupTranslators<'scripting'>;
