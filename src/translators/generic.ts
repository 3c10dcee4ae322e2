import type { GroupTranslators } from './types.js';

export const GENERIC_TRANSLATORS = {} as const satisfies GroupTranslators<'generic'>;
