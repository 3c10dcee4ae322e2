import type { GroupTranslators } from './types.js';

export const STREAM_TRANSLATORS = {} as const satisfies GroupTranslators<'stream'>;
