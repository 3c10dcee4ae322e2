import type { GroupTranslators } from './types.js';

export const SET_TRANSLATORS = {} as const satisfies GroupTranslators<'set'>;
