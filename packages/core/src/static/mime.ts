import mime from 'mime-types';

const OCTET_STREAM = 'application/octet-stream';

/**
 * The `Content-Type` for a file name, from the `mime-types` database (mime-db): `charset=utf-8` is
 * added to the types the database marks as text (`text/*`, JavaScript, JSON, SVG, …);
 * `application/octet-stream` for an unknown extension.
 */
export function contentTypeOf(fileName: string): string {
  const type = mime.lookup(fileName);
  if (type === false) return OCTET_STREAM;
  return mime.charset(type) === 'UTF-8' ? `${type}; charset=utf-8` : type;
}
