module example.com/bindiffprog

go 1.22
