import { type CookieCheckOptions, type CookieCheckRequest, type CookieCheckResult } from './cookie-check.ts';
interface QueryPart {
    /** As received, for the URL the policy is matched against. */
    raw: string;
    name: string;
    value: string;
}
/** The query's parameters in order; null when one is not valid percent-encoding. */
export declare function parseQuery(query: string): QueryPart[] | null;
/** Whether CloudFront takes `url` for a signed URL (and so ignores the cookies). */
export declare function isSignedUrl(url: string): boolean;
/** Decides, as CloudFront would, whether the signed URL `request.url` opens itself. */
export declare function checkSignedUrl(request: {
    url: string;
    clientIp: string;
}, options: CookieCheckOptions): CookieCheckResult;
export type SignedRequestResult = CookieCheckResult & {
    via: 'query' | 'cookie';
};
/** CloudFront's rule for a request that may carry both: a signed URL decides alone, else the cookies. */
export declare function checkSignedRequest(request: CookieCheckRequest, options: CookieCheckOptions): SignedRequestResult;
export {};
