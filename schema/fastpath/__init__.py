"""The fast path of the dashboard and the pages: what a fast field loads, declared on the field (declared),
the look-ahead that starts a request's loads from those declarations before the resolvers ask (prefetch,
lookahead) and the resolvers that finish without a task when they are done (eagerly). The only home of
the framework's private APIs (strawberry's `info._raw_info` and its definition back-references,
graphql-core's variable coercion, asyncio's future protocol): pyproject.toml bounds those libraries'
versions."""
