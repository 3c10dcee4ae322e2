import type { GroupTranslators } from './types.js';

export const SERVER_TRANSLATORS = {} as const satisfies GroupTranslators<'server'>;
