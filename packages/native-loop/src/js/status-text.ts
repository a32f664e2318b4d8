/** Reason phrases of the statuses the transport itself sends. */
const REASONS: Record<number, string> = {
  100: 'Continue',
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  417: 'Expectation Failed',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** The reason phrase of `status` ('Error' for one the transport never sends). */
export function reasonOf(status: number): string {
  return REASONS[status] ?? 'Error';
}
