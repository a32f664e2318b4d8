/**
 * The case suite every `Router<T>` implementation passes. Each implementation has one test file that
 * calls `runRouterCases` with its factory.
 */
import { describe, expect, it } from 'vitest';
import { RouteError, type MatchResult, type Router } from '../src/index.js';
import { seededRandom } from './seeded-random.js';
import { showMatch } from './show-match.js';

type Factory = <T>() => Router<T>;

/** Compact view of a result: 'found <value> {params}', '405 A,B', 'bad <segment>', '404'. */
function show(r: MatchResult<string>): string {
  return showMatch(r, (f) => `found ${f.value} ${JSON.stringify(f.params)}`);
}

/** Permutations of a small list (registration-order independence). */
function permutations<X>(xs: readonly X[]): X[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

export function runRouterCases(name: string, create: Factory): void {
  /** A router with GET routes whose value is their pattern. */
  function withRoutes(patterns: readonly string[], method = 'GET'): Router<string> {
    const r = create<string>();
    for (const p of patterns) r.add(method, p, p);
    return r;
  }
  const get = (r: Router<string>, path: string): string => show(r.match('GET', path));

  describe(`${name}: static routes`, () => {
    const r = withRoutes(['/', '/users', '/users/all', '/user', '/us', '/about/team/', '/a.b/c~d/e-f_g']);

    it('matches exact paths', () => {
      expect(get(r, '/')).toBe('found / {}');
      expect(get(r, '/users')).toBe('found /users {}');
      expect(get(r, '/users/all')).toBe('found /users/all {}');
      expect(get(r, '/user')).toBe('found /user {}');
      expect(get(r, '/us')).toBe('found /us {}');
      expect(get(r, '/a.b/c~d/e-f_g')).toBe('found /a.b/c~d/e-f_g {}');
    });

    it('does not match prefixes, extensions or other cases', () => {
      for (const p of ['/u', '/use', '/userss', '/users/al', '/users/all/x', '/Users', '/USERS/ALL', '/about', '/about/team'])
        expect(get(r, p), p).toBe('404');
    });

    it('is strict about trailing slashes', () => {
      expect(get(r, '/users/')).toBe('404');
      expect(get(r, '/about/team/')).toBe('found /about/team/ {}');
      expect(get(r, '/about/team')).toBe('404');
    });

    it('returns the same frozen result, with the shared empty params, on every match', () => {
      const a = r.match('GET', '/users/all');
      const b = r.match('GET', '/users/all');
      expect(a).toBe(b);
      expect(Object.isFrozen(a)).toBe(true);
      if (a.kind !== 'found') throw new Error('expected found');
      expect(a.params).toBe(r.match('GET', '/').kind === 'found' ? (r.match('GET', '/') as { params: unknown }).params : null);
      expect(Object.isFrozen(a.params)).toBe(true);
      expect(Object.keys(a.params)).toEqual([]);
      expect(a.pattern).toBe('/users/all');
    });

    it('compares the raw path: percent-encoded static segments match only as written', () => {
      const e = withRoutes(['/caf%C3%A9', '/users']);
      expect(get(e, '/caf%C3%A9')).toBe('found /caf%C3%A9 {}');
      expect(get(e, '/caf%c3%a9')).toBe('404');
      expect(get(e, '/café')).toBe('404');
      expect(get(e, '/%75sers')).toBe('404');
    });
  });

  describe(`${name}: params`, () => {
    it('takes :name and {name} params, one whole non-empty segment each', () => {
      const r = withRoutes(['/users/:id', '/orgs/{org}/repos/{repo}', '/a/:x/b/:y/c']);
      expect(get(r, '/users/42')).toBe('found /users/:id {"id":"42"}');
      expect(get(r, '/orgs/jato/repos/router')).toBe('found /orgs/{org}/repos/{repo} {"org":"jato","repo":"router"}');
      expect(get(r, '/a/1/b/2/c')).toBe('found /a/:x/b/:y/c {"x":"1","y":"2"}');
      expect(get(r, '/users/')).toBe('404');
      expect(get(r, '/users')).toBe('404');
      expect(get(r, '/users/42/')).toBe('404');
      expect(get(r, '/users/4/2')).toBe('404');
      expect(get(r, '/a//b/2/c')).toBe('404');
    });

    it('gives each match a fresh plain params object with exactly the route’s names', () => {
      const r = withRoutes(['/users/:id/posts/:postId']);
      const a = r.match('GET', '/users/1/posts/2');
      const b = r.match('GET', '/users/1/posts/2');
      if (a.kind !== 'found' || b.kind !== 'found') throw new Error('expected found');
      expect(a.params).not.toBe(b.params);
      expect(a.params).toEqual({ id: '1', postId: '2' });
      expect(Object.keys(a.params)).toEqual(['id', 'postId']);
    });

    it('keeps any non-slash character in a param, including ones a static pattern may not use', () => {
      const r = withRoutes(['/p/:v']);
      for (const v of [':x', '*', '{a}', 'a.b', '..', '.', "!$&'()*+,;=@", 'a?b', 'x#y'])
        expect(get(r, `/p/${v}`), v).toBe(`found /p/:v ${JSON.stringify({ v })}`);
    });

    it('works with a param right after the root and a static tail', () => {
      const r = withRoutes(['/:lang', '/:lang/docs', '/:lang/docs/:page']);
      expect(get(r, '/en')).toBe('found /:lang {"lang":"en"}');
      expect(get(r, '/en/docs')).toBe('found /:lang/docs {"lang":"en"}');
      expect(get(r, '/en/docs/intro')).toBe('found /:lang/docs/:page {"lang":"en","page":"intro"}');
      expect(get(r, '/en/doc')).toBe('404');
      expect(get(r, '/')).toBe('404');
    });
  });

  describe(`${name}: catch-all`, () => {
    it('takes the rest of the path, possibly empty, into params["*"]', () => {
      const r = withRoutes(['/files/*']);
      expect(get(r, '/files/')).toBe('found /files/* {"*":""}');
      expect(get(r, '/files/a')).toBe('found /files/* {"*":"a"}');
      expect(get(r, '/files/a/b/c.txt')).toBe('found /files/* {"*":"a/b/c.txt"}');
      expect(get(r, '/files/a/')).toBe('found /files/* {"*":"a/"}');
      expect(get(r, '/files')).toBe('404');
      expect(get(r, '/filesx')).toBe('404');
    });

    it('can be named (*path) and sit at the root', () => {
      const r = withRoutes(['/static/*path', '/*']);
      expect(get(r, '/static/css/site.css')).toBe('found /static/*path {"path":"css/site.css"}');
      expect(get(r, '/')).toBe('found /* {"*":""}');
      expect(get(r, '/anything/else')).toBe('found /* {"*":"anything/else"}');
      expect(get(r, '/static')).toBe('found /* {"*":"static"}');
    });

    it('follows params', () => {
      const r = withRoutes(['/u/:user/files/*rest']);
      expect(get(r, '/u/ann/files/x/y')).toBe('found /u/:user/files/*rest {"user":"ann","rest":"x/y"}');
      expect(get(r, '/u/ann/files/')).toBe('found /u/:user/files/*rest {"user":"ann","rest":""}');
    });

    it('decodes the rest as one string (%2F becomes "/")', () => {
      const r = withRoutes(['/files/*']);
      expect(get(r, '/files/a%20b/c%2Fd')).toBe('found /files/* {"*":"a b/c/d"}');
      expect(get(r, '/files/a/%E0%A4')).toBe('bad a/%E0%A4');
    });
  });

  describe(`${name}: priority and backtracking`, () => {
    const patterns = ['/users/new', '/users/:id', '/users/*', '/users/:id/edit', '/users/new/edit/x'];

    it('prefers static over param over catch-all in any registration order', () => {
      for (const order of permutations(patterns)) {
        const r = withRoutes(order);
        const at = order.join(' ');
        expect(get(r, '/users/new'), at).toBe('found /users/new {}');
        expect(get(r, '/users/7'), at).toBe('found /users/:id {"id":"7"}');
        expect(get(r, '/users/7/edit'), at).toBe('found /users/:id/edit {"id":"7"}');
        expect(get(r, '/users/'), at).toBe('found /users/* {"*":""}');
        expect(get(r, '/users/7/x'), at).toBe('found /users/* {"*":"7/x"}');
        // the static branch /users/new/edit/x dead-ends at "/users/new/edit": back to the param
        expect(get(r, '/users/new/edit'), at).toBe('found /users/:id/edit {"id":"new"}');
        expect(get(r, '/users/new/edit/x'), at).toBe('found /users/new/edit/x {}');
        // both the static and the param branches dead-end: back to the catch-all
        expect(get(r, '/users/new/edit/y'), at).toBe('found /users/* {"*":"new/edit/y"}');
      }
    });

    it('backtracks across several levels and takes the leftmost static first', () => {
      const r = withRoutes(['/a/:x/c', '/:y/b/d', '/a/b/e', '/:y/:q/:r']);
      expect(get(r, '/a/b/e')).toBe('found /a/b/e {}');
      expect(get(r, '/a/b/c')).toBe('found /a/:x/c {"x":"b"}');
      expect(get(r, '/a/b/d')).toBe('found /:y/b/d {"y":"a"}');
      expect(get(r, '/z/b/d')).toBe('found /:y/b/d {"y":"z"}');
      expect(get(r, '/a/b/f')).toBe('found /:y/:q/:r {"y":"a","q":"b","r":"f"}');
      expect(get(r, '/a/b')).toBe('404');
    });

    it('handles static prefixes that split mid-segment', () => {
      const r = withRoutes(['/team', '/teams/:id', '/te/:x', '/t/*']);
      expect(get(r, '/team')).toBe('found /team {}');
      expect(get(r, '/teams/1')).toBe('found /teams/:id {"id":"1"}');
      expect(get(r, '/te/am')).toBe('found /te/:x {"x":"am"}');
      expect(get(r, '/teams')).toBe('404');
      expect(get(r, '/t/x')).toBe('found /t/* {"*":"x"}');
    });

    it('prefers a trailing-slash static route over a catch-all on the same path', () => {
      const r = withRoutes(['/docs/*', '/docs/']);
      expect(get(r, '/docs/')).toBe('found /docs/ {}');
      expect(get(r, '/docs/x')).toBe('found /docs/* {"*":"x"}');
    });
  });

  describe(`${name}: methods`, () => {
    it('keeps a value per method on one pattern, with "*" for any other method', () => {
      const r = create<string>();
      r.add('GET', '/items/:id', 'get');
      r.add('DELETE', '/items/{id}', 'delete');
      r.add('*', '/items/:id', 'any');
      r.add(['PUT', 'PATCH'], '/items/:id', 'write');
      expect(show(r.match('GET', '/items/1'))).toBe('found get {"id":"1"}');
      expect(show(r.match('DELETE', '/items/1'))).toBe('found delete {"id":"1"}');
      expect(show(r.match('PUT', '/items/1'))).toBe('found write {"id":"1"}');
      expect(show(r.match('PATCH', '/items/1'))).toBe('found write {"id":"1"}');
      expect(show(r.match('POST', '/items/1'))).toBe('found any {"id":"1"}');
      expect(show(r.match('PROPFIND', '/items/1'))).toBe('found any {"id":"1"}');
      // the found result names the pattern as registered with that method
      const d = r.match('DELETE', '/items/1');
      expect(d.kind === 'found' && d.pattern).toBe('/items/{id}');
    });

    it('lets HEAD fall back to GET (before "*"), unless HEAD has its own route', () => {
      const r = create<string>();
      r.add('GET', '/a', 'get-a');
      r.add('GET', '/b', 'get-b');
      r.add('HEAD', '/b', 'head-b');
      r.add('GET', '/c', 'get-c');
      r.add('*', '/c', 'any-c');
      r.add('*', '/d', 'any-d');
      expect(show(r.match('HEAD', '/a'))).toBe('found get-a {}');
      expect(show(r.match('HEAD', '/b'))).toBe('found head-b {}');
      expect(show(r.match('HEAD', '/c'))).toBe('found get-c {}');
      expect(show(r.match('HEAD', '/d'))).toBe('found any-d {}');
    });

    it('answers 405 with the sorted allowed list (HEAD with GET, no implicit OPTIONS)', () => {
      const r = create<string>();
      r.add('POST', '/users', 'create');
      r.add('GET', '/users', 'list');
      r.add('DELETE', '/users/:id', 'del');
      expect(show(r.match('PUT', '/users'))).toBe('405 GET,HEAD,POST');
      expect(show(r.match('OPTIONS', '/users'))).toBe('405 GET,HEAD,POST');
      expect(show(r.match('GET', '/users/1'))).toBe('405 DELETE');
      expect(show(r.match('HEAD', '/users/1'))).toBe('405 DELETE');
      expect(show(r.match('get', '/users'))).toBe('405 GET,HEAD,POST');
      expect(show(r.match('GET', '/nope'))).toBe('404');
      const res = r.match('PUT', '/users');
      expect(Object.isFrozen(res)).toBe(true);
      expect(res.kind === 'method-not-allowed' && Object.isFrozen(res.allowed)).toBe(true);
    });

    it('tries lower-priority routes for the method before answering 405', () => {
      const r = create<string>();
      r.add('POST', '/users/new', 'new-form');
      r.add('GET', '/users/:id', 'show');
      r.add('PUT', '/users/*', 'upload');
      expect(show(r.match('GET', '/users/new'))).toBe('found show {"id":"new"}');
      expect(show(r.match('POST', '/users/new'))).toBe('found new-form {}');
      expect(show(r.match('PUT', '/users/new'))).toBe('found upload {"*":"new"}');
      // no route takes DELETE: the allowed list is the union over every route matching the path
      expect(show(r.match('DELETE', '/users/new'))).toBe('405 GET,HEAD,POST,PUT');
      expect(show(r.match('DELETE', '/users/9'))).toBe('405 GET,HEAD,PUT');
      expect(show(r.match('DELETE', '/users/9/x'))).toBe('405 PUT');
    });

    it('serves methods first registered after a route was added, through "*"', () => {
      const r = create<string>();
      r.add('*', '/any', 'any');
      r.add('GET', '/only-get', 'g');
      r.add('PROPFIND', '/dav', 'dav');
      expect(show(r.match('PROPFIND', '/any'))).toBe('found any {}');
      expect(show(r.match('MKCOL', '/any'))).toBe('found any {}');
      expect(show(r.match('PROPFIND', '/only-get'))).toBe('405 GET,HEAD');
      expect(show(r.match('PROPFIND', '/dav'))).toBe('found dav {}');
      expect(show(r.match('GET', '/dav'))).toBe('405 PROPFIND');
    });
  });

  describe(`${name}: percent-decoding of params`, () => {
    const r = withRoutes(['/p/:v', '/p/fixed', '/q/:a/:b']);

    it('decodes UTF-8 per segment, either hex case', () => {
      expect(get(r, '/p/caf%C3%A9')).toBe('found /p/:v {"v":"café"}');
      expect(get(r, '/p/caf%c3%a9')).toBe('found /p/:v {"v":"café"}');
      expect(get(r, '/p/a%20b')).toBe('found /p/:v {"v":"a b"}');
      expect(get(r, '/p/a+b')).toBe('found /p/:v {"v":"a+b"}');
      expect(get(r, '/p/%F0%9F%98%80')).toBe('found /p/:v {"v":"😀"}');
      expect(get(r, '/p/a%2Fb')).toBe('found /p/:v {"v":"a/b"}');
      expect(get(r, '/p/%25')).toBe('found /p/:v {"v":"%"}');
      expect(get(r, '/q/%41/%42')).toBe('found /q/:a/:b {"a":"A","b":"B"}');
    });

    it('answers bad-param with the raw segment for invalid encodings, never throwing', () => {
      const bad = ['%', '%2', '%zz', 'a%g0', '%C3', '%C3%28', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%FF', '%E2%82'];
      for (const seg of bad) expect(get(r, `/p/${seg}`), seg).toBe(`bad ${seg}`);
      expect(get(r, '/q/ok/%zz')).toBe('bad %zz');
      expect(get(r, '/q/%zz/ok')).toBe('bad %zz');
    });

    it('does not decode what a static route matched', () => {
      expect(get(r, '/p/fixed')).toBe('found /p/fixed {}');
      expect(get(r, '/p/fixe%64')).toBe('found /p/:v {"v":"fixed"}');
    });

    it('passes characters outside ASCII through unchanged', () => {
      expect(get(r, '/p/café')).toBe('found /p/:v {"v":"café"}');
    });
  });

  describe(`${name}: odd request paths`, () => {
    const r = withRoutes(['/', '/a/:b', '/c/*']);

    it('answers not-found for paths that do not start with "/"', () => {
      for (const p of ['', '*', 'a', 'http://x/a/b', ' /']) expect(get(r, p), JSON.stringify(p)).toBe('404');
    });

    it('never throws, whatever the input', () => {
      const rand = seededRandom(12345);
      const alphabet = ['/', '/', 'a', 'b', 'c', '%', 'C3', 'A9', 'zz', '%2F', '\u0000', 'é', '\uD800', '*', ':'];
      const kinds = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        let p = ['', '/', '/a/', '/c/'][rand(4)]!;
        for (let j = rand(10); j > 0; j--) p += alphabet[rand(alphabet.length)];
        kinds.add(r.match(['GET', 'POST', 'HEAD', 'X', ''][rand(5)]!, p).kind);
      }
      expect([...kinds].sort()).toEqual(['bad-param', 'found', 'method-not-allowed', 'not-found']);
      expect(() => r.match('GET', '/a/' + 'x'.repeat(100_000))).not.toThrow();
      expect(get(r, '/c/' + '/'.repeat(10_000))).toBe(`found /c/* {"*":"${'/'.repeat(10_000)}"}`);
      expect(r.match(undefined as unknown as string, undefined as unknown as string).kind).toBe('not-found');
    });
  });

  describe(`${name}: long patterns`, () => {
    it('matches a pattern of 256 segments, 128 of them params', () => {
      const r = create<string>();
      let pattern = '';
      let path = '';
      const params: Record<string, string> = {};
      for (let i = 0; i < 128; i++) {
        pattern += `/s${i}/:p${i}`;
        path += `/s${i}/v${i}`;
        params[`p${i}`] = `v${i}`;
      }
      r.add('GET', pattern, 'long');
      r.add('GET', pattern.replace('/s127/:p127', '/s127/x'), 'static tail');
      expect(r.match('GET', path)).toEqual({ kind: 'found', value: 'long', params, pattern });
      expect(r.match('GET', `${path}/`).kind).toBe('not-found');
      expect(r.match('POST', path).kind).toBe('method-not-allowed');
    });
  });

  describe(`${name}: registration errors`, () => {
    const throws = (fn: () => void, code: string, message: RegExp): void => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RouteError);
      expect((error as RouteError).code).toBe(code);
      expect((error as RouteError).message).toMatch(message);
    };

    it('rejects a duplicate route, naming both spellings', () => {
      const r = create<string>();
      r.add('GET', '/users/:id', 'a');
      throws(() => r.add('GET', '/users/{id}', 'b'), 'duplicate-route', /GET "\/users\/\{id\}" is already registered as GET "\/users\/:id"/);
      r.add('*', '/x', 'a');
      throws(() => r.add('*', '/x', 'b'), 'duplicate-route', /any method/);
      throws(() => r.add(['POST', 'POST'], '/y', 'b'), 'duplicate-route', /POST "\/y"/);
      throws(() => r.add(['PUT', 'GET'], '/users/:id', 'b'), 'duplicate-route', /GET/);
      // nothing of a failed call is kept
      expect(show(r.match('PUT', '/users/1'))).toBe('405 GET,HEAD');
      expect(show(r.match('POST', '/y'))).toBe('404');
    });

    it('rejects a different param name at the same position, naming both routes', () => {
      const r = create<string>();
      r.add('GET', '/users/:id', 'a');
      throws(
        () => r.add('GET', '/users/:userId/posts', 'b'),
        'param-conflict',
        /"\/users\/:userId\/posts".*"userId".*"\/users\/:id".*"id"/,
      );
      r.add('GET', '/files/*', 'f');
      throws(() => r.add('POST', '/files/*path', 'g'), 'param-conflict', /catch-all.*"path".*"\/files\/\*".*"\*"/);
      // the same name at the same position is fine, in either spelling
      r.add('GET', '/users/{id}/posts', 'c');
      expect(show(r.match('GET', '/users/3/posts'))).toBe('found c {"id":"3"}');
      expect(show(r.match('GET', '/users/3/other'))).toBe('404');
    });

    it('rejects invalid patterns, naming the bad character or part', () => {
      const r = create<string>();
      const cases: [string, RegExp][] = [
        ['users', /must start with "\/"/],
        ['', /must start with "\/"/],
        ['/a b', /character " " \(U\+0020\) at index 2/],
        ['/a?b', /character "\?".*query/],
        ['/a#b', /character "#"/],
        ['/caf\u00e9', /character "é" \(U\+00E9\)/],
        ['/a/b:c', /character ":".*whole segment/],
        ['/a/x*', /character "\*".*catch-all/],
        ['/a/**', /character "\*" \(U\+002A\) at index 4 is not allowed in a param name/],
        ['/a/{id}x', /missing "}"/],
        ['/a/{id', /missing "}"/],
        ['/a/%zz', /"%" at index 3/],
        ['/files/*/x', /catch-all "\*" must be the last segment/],
        ['/a/:', /empty param name at index 4/],
        ['/a/{}', /empty param name/],
        ['/a/:b.c', /character "\." \(U\+002E\) at index 5 is not allowed in a param name/],
        ['/a//b', /empty segment at index 3/],
        ['/a/../b', /dot segment "\.\."/],
        ['/a/./b', /dot segment "\."/],
        ['/a/:id/b/{id}', /param name "id" is used twice/],
        ['/:__proto__', /reserved/],
        ['/a'.repeat(257), /more than 256 segments/],
      ];
      for (const [pattern, message] of cases) throws(() => r.add('GET', pattern, 'x'), 'invalid-pattern', message);
      throws(() => r.add('', '/ok', 'x'), 'invalid-method', /Invalid method ""/);
      throws(() => r.add('GE T', '/ok', 'x'), 'invalid-method', /"GE T"/);
      throws(() => r.add([], '/ok', 'x'), 'invalid-method', /No method/);
      expect(get(r, '/ok')).toBe('404');
    });
  });
}
