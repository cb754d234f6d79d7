module unigornel/goapp

go 1.19
