import { pending, type GroupTranslators } from './types.js';

export const TRANSACTIONS_TRANSLATORS = {
  DISCARD: pending('not translated yet (issue #5)'),
  EXEC: pending('not translated yet (issue #5)'),
  MULTI: pending('not translated yet (issue #5)'),
  UNWATCH: pending('not translated yet (issue #5)'),
  WATCH: pending('not translated yet (issue #5)'),
} as const satisfies GroupTranslators<'transactions'>;
