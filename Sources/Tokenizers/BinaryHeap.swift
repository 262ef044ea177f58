/// A binary heap: `pop` returns the element that comes first under `before` (a strict
/// order). BPE encoding and training both keep their pending merges in one.
struct BinaryHeap<Element> {
    private var items: [Element] = []
    private let before: (Element, Element) -> Bool

    init(by before: @escaping (Element, Element) -> Bool) { self.before = before }

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < items.count && before(items[left], items[first]) { first = left }
            if right < items.count && before(items[right], items[first]) { first = right }
            if first == parent { break }
            items.swapAt(parent, first)
            parent = first
        }
        return top
    }
}
