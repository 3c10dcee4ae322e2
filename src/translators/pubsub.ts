import type { GroupTranslators } from './types.js';

export const PUBSUB_TRANSLATORS = {} as const satisfies GroupTranslators<'pubsub'>;
