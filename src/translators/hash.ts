import type { GroupTranslators } from './types.js';

export const HASH_TRANSLATORS = {} as const satisfies GroupTranslators<'hash'>;
