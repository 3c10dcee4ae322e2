import type { GroupTranslators } from './types.js';

export const SORTED_SET_TRANSLATORS = {} as const satisfies GroupTranslators<'sorted_set'>;
