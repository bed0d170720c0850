import type { z } from 'zod';

/** One line naming each failing field, e.g. `parameters.seconds: Too big: expected number to be <=900`. */
export function validationMessage(root: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[root, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}
