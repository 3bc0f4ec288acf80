import type { z } from 'zod';

/** One invalid input field, named by its path in the request (`scope.country`, `query.limit`). */
export interface FieldProblem {
  field: string;
  message: string;
}

export function problemsFromZod(prefix: string, error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      return { field: path, message: `unknown field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}` };
    }
    return { field: path, message: issue.message };
  });
}
