import type { z } from 'zod';

/**
 * One line naming each failing field, e.g. `parameters.seconds: Too big: expected number to be <=900`
 * (or `seconds: …` without a root); an issue about the whole value is just its message.
 */
export function validationMessage(error: z.ZodError, root?: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [...(root === undefined ? [] : [root]), ...issue.path.map(String)];
      return path.length > 0 ? `${path.join('.')}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
