const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// type/subtype *( OWS ";" OWS name=(token / quoted-string) ) — RFC 9110 §8.3.1, ASCII only
const MEDIA_TYPE =
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t\x20\x21\x23-\x5B\x5D-\x7E]|\\[\t\x20-\x7E])*"))*$/;

/**
 * Throws a TypeError unless `type` is a media type (`type/subtype`, optionally with `; name=value`
 * parameters whose values are tokens or quoted strings).
 */
export function checkMediaType(type: string): string {
  if (typeof type !== 'string' || !MEDIA_TYPE.test(type)) {
    throw new TypeError(`Invalid media type: ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
  return type;
}

/** Throws a TypeError unless `value` is a token (the value of a media type parameter such as `charset`). */
export function checkParameterValue(name: string, value: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new TypeError(`Invalid ${name}: ${JSON.stringify(String(value)).slice(0, 80)} (expected a token such as utf-8)`);
  }
  return value;
}
