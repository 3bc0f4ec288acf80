# syntax=docker/dockerfile:1
# Production image: compiled JavaScript, production dependencies only, running as a non-root user.
# One image serves every role; the command picks it (apps/api, apps/worker, apps/migrate).

FROM node:24-bookworm AS build
WORKDIR /app
# The full Debian image has python3, make and g++ for better-sqlite3's native build.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./
COPY package.json ./
COPY migrations ./migrations
# The image's files stay root-owned and read-only to the service user.
USER node
EXPOSE 8080
CMD ["node", "apps/api/main.js"]
