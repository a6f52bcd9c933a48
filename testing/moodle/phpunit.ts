export async function runPhpunit(_a: string[], _o: { port?: number; log?: (line: string) => void }): Promise<number> { throw new Error("not yet"); }
