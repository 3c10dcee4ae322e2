import type { GroupTranslators } from './types.js';

export const LIST_TRANSLATORS = {} as const satisfies GroupTranslators<'list'>;
