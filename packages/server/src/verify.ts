/** `gatehouse/verify`: the same library as `@gatehouse/verify`, for projects that install the server. */
export * from '@gatehouse/verify';
