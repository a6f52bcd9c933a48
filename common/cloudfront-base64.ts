/** CloudFront's URL-safe base64 for policies and signatures: `+`→`-`, `=`→`_`, `/`→`~`. */
const TO_CF: Record<string, string> = { '+': '-', '=': '_', '/': '~' };
const FROM_CF: Record<string, string> = { '-': '+', _: '=', '~': '/' };

export function toCloudFrontBase64(standardBase64: string): string {
  return standardBase64.replace(/[+=/]/g, (c) => TO_CF[c]!);
}

export function fromCloudFrontBase64(value: string): string {
  return value.replace(/[-_~]/g, (c) => FROM_CF[c]!);
}
