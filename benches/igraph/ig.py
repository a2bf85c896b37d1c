import igraph, time
t = time.time(); g = igraph.Graph.Read_Edgelist('edges.txt', directed=True); print('igraph load %.1f s' % (time.time() - t))
for _ in range(2):
    t = time.time(); order = g.bfs(0, mode='out')[0]; print('igraph forward BFS from n0: %d reached in %.3f s' % (len(order), time.time() - t))
t = time.time(); c = g.connected_components(mode='strong'); print('igraph SCC: %d components in %.3f s' % (len(c), time.time() - t))
